import type { Core } from '../core.js';
import type { TemplateName, TemplateVariables } from '../mail/template-variables.js';
import type { RequestMeta } from './meta.js';

/**
 * Renders a template (checked at start-up, so rendering cannot fail here) and
 * hands it to the mailer. Branding and the recipient are filled in for every template.
 */
export async function sendTemplatedMail<N extends TemplateName>(
  core: Core,
  name: N,
  to: string,
  variables: TemplateVariables<N>,
): Promise<void> {
  const { productName, accentColor } = core.settings.branding;
  const rendered = core.mailTemplates.render(name, {
    ...variables,
    productName,
    accentColor,
    email: to,
  });
  await core.mailer.send({ to, ...rendered });
}

/** The address a notice names as the origin of a change. */
export const requestSource = (meta: RequestMeta): string => meta.ip ?? 'an unknown address';
