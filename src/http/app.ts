import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { relyingPartyOf } from '../authn/passkeys/relying-party.js';
import type { Core } from '../core.js';
import { packageVersion } from '../version.js';
import { answerCors } from './cors.js';
import { docsArea } from './docs/plugin.js';
import { givesBackUnmatched } from './embed/pass-unmatched.js';
import { frameworkErrorOptions, installErrorHandling } from './error-handler.js';
import { enforceSameOrigin } from './guard.js';
import { oauthArea } from './oauth/plugin.js';
import { buildOpenApi } from './openapi.js';
import { pagesArea } from './pages/plugin.js';
import { registerRoutes } from './register-routes.js';
import { requestIdOptions, sendRequestIds } from './request-id.js';
import { countRequests } from './request-metrics.js';
import type { AnyRoute } from './route.js';
import { defineRoute } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { authRoutes } from './routes/auth.js';
import { authzRoutes } from './routes/authz.js';
import { introspectionRoutes } from './routes/introspection.js';
import { magicLinkRoutes } from './routes/magic-link.js';
import { mfaRoutes } from './routes/mfa.js';
import { devRoutes, opsRoutes } from './routes/ops.js';
import { passkeyRoutes } from './routes/passkeys.js';
import { passwordRoutes } from './routes/password.js';
import { reauthenticateRoutes } from './routes/reauthenticate.js';
import { recoveryCodeRoutes } from './routes/recovery-codes.js';
import { revocationRoutes } from './routes/revocations.js';
import { sessionRoutes } from './routes/sessions.js';
import { smsRoutes } from './routes/sms.js';
import { tokenRoutes } from './routes/tokens.js';
import { totpRoutes } from './routes/totp.js';
import { installSecurityHeaders } from './security-headers.js';
import { devOutboxServed, publicUrlWarning } from './start-up-checks.js';

export interface AppOptions {
  /** Extra routes of an embedding app, behind the same guards. */
  routes?: readonly AnyRoute[];
}

export const coreRoutes = (core: Core): AnyRoute[] => [
  ...authRoutes,
  ...mfaRoutes,
  ...totpRoutes,
  ...recoveryCodeRoutes,
  ...(core.settings.sms.enabled ? smsRoutes : []),
  ...magicLinkRoutes,
  ...reauthenticateRoutes,
  ...passkeyRoutes,
  ...sessionRoutes,
  ...tokenRoutes,
  ...revocationRoutes,
  ...apiKeyRoutes,
  ...passwordRoutes,
  ...adminRoutes,
  ...authzRoutes,
  ...opsRoutes,
  ...(devOutboxServed(core.settings).served ? devRoutes : []),
];

/** A hop count becomes "trust the first n hops", as proxy-addr counts them. */
const trustProxyOption = (setting: boolean | number | string) =>
  typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;

/** Says at start-up what the settings leave open: the Host-derived origin and the dev outbox. */
function logStartUpChecks(core: Core): void {
  const warning = publicUrlWarning(core.settings);
  if (warning) core.logger.warn(warning);
  const rp = relyingPartyOf(core.settings);
  core.logger.info(
    rp
      ? `passkeys: RP ID ${rp.id}, origins ${rp.origins.join(' ')}`
      : 'passkeys off: no GATEHOUSE_PUBLIC_URL nor webauthn.rpId and webauthn.origins',
  );
  if (core.settings.nodeEnv === 'production') return;
  const outbox = devOutboxServed(core.settings);
  core.logger.info(
    outbox.served
      ? `dev outbox served at GET /dev/outbox (${outbox.why})`
      : `dev outbox not served: ${outbox.why}`,
  );
}

export async function buildApp(core: Core, options: AppOptions = {}): Promise<FastifyInstance> {
  logStartUpChecks(core);
  const app = Fastify({
    loggerInstance: core.logger as FastifyBaseLogger,
    bodyLimit: core.settings.bodyLimitBytes,
    trustProxy: trustProxyOption(core.settings.trustProxy),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    ...requestIdOptions(core.settings.trustProxy),
    ...frameworkErrorOptions,
  });
  // First of all hooks: a request an embedding app handed over and no route here matches goes back to it untouched.
  givesBackUnmatched(app);
  sendRequestIds(app);
  countRequests(app, core.metrics);
  const pages = core.settings.pages.enabled;
  installErrorHandling(app, { notFound: !pages });
  // The API's headers, also the default of anything outside an area; the pages set their own.
  // JSON needs no source at all: without helmet's defaults (script-src 'self', ...) the policy is
  // the strictest one, and 250 bytes shorter on every response.
  await installSecurityHeaders(app, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
  });
  await app.register(fastifyCookie);
  // Hooks on every request take a callback, not a promise: one less allocation and tick each.
  app.addHook('onRequest', (request, _reply, done) => {
    enforceSameOrigin(core, request);
    done();
  });
  // Answers carry credentials and personal data; a route that may be cached (the JWKS) says so itself.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  const routes = [...coreRoutes(core), ...(options.routes ?? [])];
  const version = packageVersion();
  const openapi = defineRoute({
    method: 'GET',
    url: '/openapi.json',
    access: 'public',
    summary: 'This document',
    tags: ['ops'],
    handler: async () => document,
  });
  const all: AnyRoute[] = [...routes, ...introspectionRoutes, openapi];
  // Built once: the routes are fixed when the server starts.
  const document = buildOpenApi(all, version);
  await app.register(async (api) => {
    answerCors(api, core.settings, [...routes, openapi]);
    registerRoutes(api, core, [...routes, openapi]);
  });
  // RFC 7662 posts a form: only here is one parsed (elsewhere in the API a form is a 415).
  await app.register(async (forms) => {
    await forms.register(fastifyFormbody);
    registerRoutes(forms, core, introspectionRoutes);
  });
  if (core.settings.docs.enabled) await app.register(docsArea);
  if (pages) await app.register(pagesArea, { core });
  // The provider signs users in with the pages: without them it is not mounted.
  if (pages && core.settings.provider.enabled) await app.register(oauthArea, { core });
  return app;
}
