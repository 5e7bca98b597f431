import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction, Provider } from 'oidc-provider';
import { z } from 'zod';
import { logout } from '../../../authn/sessions.js';
import type { Core } from '../../../core.js';
import {
  answerInteraction,
  type ConsentRequest,
  type InteractionStep,
  nextInteractionStep,
} from '../../../provider/interaction.js';
import { clearRefreshCookie, clearSessionCookie } from '../../cookies.js';
import { providerHostOf } from '../../oauth/provider-host.js';
import { definePage, type PageResult, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { Actions } from '../views/fields.js';
import { Form } from '../views/layout.js';

/**
 * An interaction of the OpenID Provider (another app asked who the user is):
 * the Gatehouse sign-in is the login, then the consent screen. The provider
 * finds the interaction by its cookie (path /authorize/<uid>), never by the
 * address alone.
 */
const uidParams = z.object({ uid: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/) });
const answerForm = z.object({ answer: z.enum(['allow', 'deny', 'continue', 'switch']) });

const here = (uid: string) => `/authorize/${uid}`;
/**
 * Where the sign-in and re-authentication pages send the browser back: the
 * interaction, marked as reached from a form of ours, so the way on to the
 * app breaks the form's redirect chain (see `leave`). The mark does nothing
 * else: freshness and the account choice are read off the session.
 */
const afterForm = (uid: string) => `${here(uid)}?signed_in=1`;
const signInFor = (uid: string) => `/login?return_to=${encodeURIComponent(afterForm(uid))}`;
const reauthenticateFor = (uid: string, secondFactor: boolean) =>
  `/reauthenticate?return_to=${encodeURIComponent(afterForm(uid))}${secondFactor ? '&second_factor=1' : ''}`;
const stepQuery = z.object({ signed_in: z.literal('1').optional() });

async function interactionOf(
  core: Core,
  request: FastifyRequest,
  reply: FastifyReply,
  uid: string,
) {
  const { provider } = await providerHostOf(core).current();
  const interaction = await provider
    .interactionDetails(request.raw, reply.raw)
    .catch((): Interaction | null => null);
  return { provider, interaction: interaction?.uid === uid ? interaction : null };
}

function ConsentView(props: { shell: Shell; uid: string; request: ConsentRequest }) {
  const { shell, uid, request } = props;
  const t = shell.t.provider;
  const scopes = request.scopes.map((scope) => t.scopes[scope] ?? t.otherScope(scope));
  const apis = Object.entries(request.resourceScopes);
  return (
    <section class="card narrow">
      <h1>{t.consentHeading(request.clientName)}</h1>
      {shell.user ? <p>{t.signedInAs(shell.user.email)}</p> : null}
      <p>{t.consentIntro}</p>
      <ul>
        {scopes.map((text) => (
          <li>{text}</li>
        ))}
        {apis.map(([api, wanted]) => (
          <li>{t.resourceScopes(api, wanted.join(', '))}</li>
        ))}
      </ul>
      <Form shell={shell} action={here(uid)}>
        <Actions>
          <button type="submit" name="answer" value="allow">
            {t.allow}
          </button>
          <button type="submit" name="answer" value="deny" class="secondary">
            {t.deny}
          </button>
        </Actions>
      </Form>
    </section>
  );
}

function SelectAccountView(props: { shell: Shell; uid: string; clientName: string }) {
  const { shell, uid } = props;
  const t = shell.t.provider;
  return (
    <section class="card narrow">
      <h1>{t.selectHeading(props.clientName)}</h1>
      <Form shell={shell} action={here(uid)}>
        <Actions>
          <button type="submit" name="answer" value="continue">
            {t.continueAs(shell.user?.email ?? '')}
          </button>
          <button type="submit" name="answer" value="switch" class="secondary">
            {t.useAnother}
          </button>
        </Actions>
      </Form>
    </section>
  );
}

const notice = (shell: Shell, message: string, status = 400) =>
  view(
    shell.t.provider.expiredTitle,
    <section class="card narrow">
      <h1>{shell.t.provider.expiredTitle}</h1>
      <p>{message}</p>
    </section>,
    status,
  );

/**
 * The way back to the provider (and from there to the app). Browsers apply a
 * page's form-action to every redirect after a form is posted, and ours allows
 * this site only, so a redirect chain that starts at one of our forms cannot
 * end at the app. After a form, a page continues instead: its Refresh header
 * starts a new navigation that no form-action governs (no script needed).
 */
function leave(to: string, ctx: { shell: Shell; reply: FastifyReply; fromForm: boolean }) {
  if (!ctx.fromForm) return redirect(to);
  const t = ctx.shell.t.provider;
  ctx.reply.header('refresh', `0;url=${to}`);
  return view(
    t.continuingTitle,
    <section class="card narrow">
      <h1>{t.continuingTitle}</h1>
      <p role="status">{t.continuing}</p>
      <p>
        <a href={to}>{t.continueLink}</a>
      </p>
    </section>,
  );
}

/** Maps the core's decision to a page or a redirect. */
async function show(
  step: InteractionStep,
  ctx: {
    shell: Shell;
    uid: string;
    reply: FastifyReply;
    /** The browser got here from a form of ours (see `leave`). */
    fromForm: boolean;
    finish: (step: Extract<InteractionStep, { kind: 'finish' }>) => Promise<string>;
  },
): Promise<PageResult> {
  const { shell, uid } = ctx;
  switch (step.kind) {
    case 'sign_in':
      return redirect(signInFor(uid));
    case 'reauthenticate':
      return redirect(reauthenticateFor(uid, step.secondFactor));
    case 'select_account':
      return view(
        shell.t.provider.selectTitle,
        <SelectAccountView shell={shell} uid={uid} clientName={step.clientName} />,
      );
    case 'consent':
      return view(
        shell.t.provider.consentTitle,
        <ConsentView shell={shell} uid={uid} request={step.request} />,
      );
    case 'other_account':
      return notice(shell, shell.t.provider.otherAccount, 409);
    case 'finish':
      return leave(await ctx.finish(step), ctx);
  }
}

/** Hands the result to the provider; its resume address is a path of ours (under /oauth2). */
const finisher =
  (provider: Provider, request: FastifyRequest, reply: FastifyReply) =>
  async ({ result, merge }: Extract<InteractionStep, { kind: 'finish' }>): Promise<string> => {
    const resume = await provider.interactionResult(request.raw, reply.raw, result, {
      mergeWithLastSubmission: merge,
    });
    const { pathname, search } = new URL(resume);
    return `${pathname}${search}`;
  };

export const authorizePages = [
  definePage({
    method: 'GET',
    url: '/authorize/:uid',
    access: 'public',
    params: uidParams,
    query: stepQuery,
    handler: async ({ core, request, reply, principal, shell, params, query, meta }) => {
      const { provider, interaction } = await interactionOf(core, request, reply, params.uid);
      if (!interaction) return notice(shell, shell.t.provider.expired);
      const fromForm = query.signed_in === '1';
      const step = await nextInteractionStep(core, provider, interaction, principal, { meta });
      return show(step, {
        shell,
        uid: params.uid,
        reply,
        fromForm,
        finish: finisher(provider, request, reply),
      });
    },
  }),
  definePage({
    method: 'POST',
    url: '/authorize/:uid',
    access: 'public',
    params: uidParams,
    form: answerForm,
    handler: async ({ core, request, reply, principal, shell, params, form, meta }) => {
      const { provider, interaction } = await interactionOf(core, request, reply, params.uid);
      if (!interaction) return notice(shell, shell.t.provider.expired);
      if (!form.ok) return notice(shell, shell.t.errors.formExpired);
      // Another account: sign out here, sign in again, and come back to this choice.
      if (form.data.answer === 'switch') {
        if (principal) {
          await logout(core, principal, meta);
          clearSessionCookie(reply);
          clearRefreshCookie(reply);
        }
        return redirect(signInFor(params.uid));
      }
      const step = await answerInteraction(
        core,
        provider,
        interaction,
        principal,
        form.data.answer,
        meta,
      );
      return show(step, {
        shell,
        uid: params.uid,
        reply,
        fromForm: true,
        finish: finisher(provider, request, reply),
      });
    },
  }),
];
