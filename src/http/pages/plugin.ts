import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { samlConnections } from '../../authn/federation/saml-connections.js';
import type { Core } from '../../core.js';
import { sendNotFoundProblem } from '../error-handler.js';
import { loadPageAssets } from './assets.js';
import { type PageErrorDeps, pageErrorHandler, sendErrorPage } from './errors.js';
import type { AnyPage } from './page.js';
import { authenticatePage, principalOfPage, registerPages } from './register-pages.js';
import { accountPages } from './routes/account.js';
import { accountApiKeyPages } from './routes/account-api-keys.js';
import { accountLinkedPages } from './routes/account-linked.js';
import { accountPasskeyPages } from './routes/account-passkeys.js';
import { accountPasswordPages } from './routes/account-password.js';
import { accountRecoveryCodePages } from './routes/account-recovery-codes.js';
import { accountSecurityPages } from './routes/account-security.js';
import { accountSessionPages } from './routes/account-sessions.js';
import { accountSmsPages } from './routes/account-sms.js';
import { accountTotpPages } from './routes/account-totp.js';
import { adminClientPages } from './routes/admin-clients.js';
import { adminEventPages } from './routes/admin-events.js';
import { adminPolicyPages } from './routes/admin-policy.js';
import { adminUserPages } from './routes/admin-user.js';
import { adminUserListPages } from './routes/admin-users.js';
import { authorizePages } from './routes/authorize.js';
import { emailLinkPages } from './routes/email-links.js';
import { homePages } from './routes/home.js';
import { loginPages } from './routes/login.js';
import { loginMfaPages } from './routes/login-mfa.js';
import { oidcPages } from './routes/oidc.js';
import { passwordResetPages } from './routes/password-reset.js';
import { reauthenticatePages } from './routes/reauthenticate.js';
import { samlPages } from './routes/saml.js';
import { signUpPages } from './routes/sign-up.js';
import { strings } from './strings/index.js';

export const allPages: readonly AnyPage[] = [
  ...homePages,
  ...loginPages,
  ...loginMfaPages,
  ...oidcPages,
  ...signUpPages,
  ...passwordResetPages,
  ...emailLinkPages,
  ...accountPages,
  ...accountPasswordPages,
  ...accountSessionPages,
  ...accountSecurityPages,
  ...accountPasskeyPages,
  ...accountTotpPages,
  ...accountRecoveryCodePages,
  ...accountApiKeyPages,
  ...accountLinkedPages,
  ...reauthenticatePages,
  ...adminUserListPages,
  ...adminUserPages,
  ...adminEventPages,
  ...adminPolicyPages,
  ...samlPages,
];

/** Pages mounted only when their feature is on (as the JSON API mounts its routes). */
const optionalPages = (core: Core): readonly AnyPage[] => [
  ...(core.settings.sms.enabled ? accountSmsPages : []),
  ...(core.settings.provider.enabled ? [...authorizePages, ...adminClientPages] : []),
];

/** Where images may come from: this site, and the logo's origin when it lives elsewhere. */
function imageSources(core: Core): string[] {
  const logo = core.settings.branding.logoUrl;
  return logo && /^https?:/.test(logo) ? ["'self'", new URL(logo).origin] : ["'self'"];
}

/**
 * Where a form may lead: this site, and the SAML IdPs that home-realm
 * discovery redirects a sign-in form to (browsers apply form-action to redirects).
 */
function formTargets(core: Core): string[] {
  const idps = [...samlConnections(core.settings).values()].map(
    (c) => new URL(c.idp.ssoUrl).origin,
  );
  return ["'self'", ...new Set(idps)];
}

/**
 * The pages' CSP: our own files only, scripts only with this response's
 * nonce, no inline handler or style, no framing, forms only to us.
 */
const contentSecurityPolicy = (core: Core) => ({
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: [] as string[],
    styleSrc: ["'self'"],
    imgSrc: imageSources(core),
    connectSrc: ["'self'"],
    formAction: formTargets(core),
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
});

/** The stylesheet and scripts, by their hashed names: the same name always has the same bytes. */
function serveAssets(app: FastifyInstance, files: ReturnType<typeof loadPageAssets>['files']) {
  app.get('/assets/:name', async (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const file = files.get(request.params.name);
    if (!file) return reply.callNotFound();
    return reply
      .type(file.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(file.body);
  });
}

export interface PagesAreaOptions {
  core: Core;
}

/**
 * The hosted pages as one encapsulated area: HTML errors, CSRF by a form
 * field, form bodies, and a CSP of their own. The JSON API beside it keeps
 * problem+json, the CSRF header and JSON bodies only.
 */
export async function pagesArea(app: FastifyInstance, { core }: PagesAreaOptions): Promise<void> {
  const { assets, files } = loadPageAssets(core.settings);
  await app.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: contentSecurityPolicy(core),
    // Our own next page may learn where a form was posted from (to come back after a re-login); no one else.
    referrerPolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
  });
  // Forms only: the JSON and text parsers inherited from the root would let a page take a JSON body.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  await app.register(fastifyFormbody, { bodyLimit: core.settings.bodyLimitBytes });
  const deps: PageErrorDeps = { core, assets, principalOf: principalOfPage };
  app.setErrorHandler(pageErrorHandler(deps));
  serveAssets(app, files);
  registerPages(app, core, assets, [...allPages, ...optionalPages(core)]);
  // A browser that opens an address we do not have gets a page; any other caller the API's problem.
  app.setNotFoundHandler(async (request, reply) => {
    if (!wantsPage(request)) return sendNotFoundProblem(request, reply);
    // Signed in or not, the page around the message says so (and offers to sign out).
    const principal = await authenticatePage(core, request).catch(() => null);
    const known = { ...deps, principalOf: () => principal };
    return sendErrorPage(known, request, reply, 404, strings.errors.notFound);
  });
}

const wantsPage = (request: FastifyRequest): boolean =>
  request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
