import type { FastifyRequest } from 'fastify';
import { isValidCsrfToken } from '../authn/csrf.js';
import type { RequestMeta } from '../authn/meta.js';
import { stepUpRequired } from '../authn/step-up.js';
import { decidePermission } from '../authz/permission-check.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import type { Principal } from '../principal.js';
import { decisionContext } from './access.js';
import type { Access } from './route.js';
import { assertSameOrigin } from './same-origin.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isUnsafe = (request: FastifyRequest): boolean => !SAFE_METHODS.has(request.method);

/**
 * 401 for an unknown caller, then 403 for a known one who may not: never the
 * other way round. A permission is decided by the engine in the request's
 * environment, exactly as `POST /authz/check` would answer it.
 */
export function enforceAccess(
  access: Access,
  principal: Principal | null,
  core: Core,
  meta: RequestMeta,
): void {
  if (access === 'public') return;
  if (!principal) throw new AuthError('unauthenticated', 'Sign in or send a credential.');
  if (access === 'authenticated') return;
  if (access === 'session') {
    if (principal.via === 'session') return;
    throw new AuthError(
      'forbidden',
      'This needs the signed-in browser session, not a bearer credential.',
    );
  }
  if (access === 'account') {
    if (principal.via === 'session' || principal.via === 'access_token') return;
    throw new AuthError(
      'forbidden',
      'Managing the account needs a signed-in session, not an API key.',
    );
  }
  const context = decisionContext(core, meta);
  const decision = decidePermission(core.policy, principal, access.permission, context);
  if (decision.allowed) return;
  // Refused only for how (or how long ago) the caller signed in: 401, re-authenticate and retry.
  if (decision.stepUp) throw stepUpRequired(principal, decision.stepUp);
  throw new AuthError('forbidden', `Missing permission ${access.permission}.`);
}

/**
 * Cookies ride along on cross-site requests; header credentials do not. So an
 * unsafe request authenticated by the session cookie must echo the session's
 * CSRF token, which another site cannot read.
 */
export function enforceCsrf(
  core: Core,
  request: FastifyRequest,
  principal: Principal | null,
): void {
  if (principal?.via !== 'session' || !principal.sessionId || !isUnsafe(request)) return;
  const presented = request.headers['x-csrf-token'];
  if (
    typeof presented !== 'string' ||
    !isValidCsrfToken(core.secretKey, principal.sessionId, presented)
  ) {
    throw new AuthError('csrf_failed', 'Missing or wrong X-CSRF-Token header.');
  }
}

/** Refuses any unsafe request that a browser marks as coming from another site (see same-origin.ts). */
export function enforceSameOrigin(core: Core, request: FastifyRequest): void {
  if (!isUnsafe(request)) return;
  // A page that is posted to from another site by design (the SAML ACS, see PageDefinition).
  if ((request.routeOptions.config as { crossSitePost?: boolean } | undefined)?.crossSitePost)
    return;
  const fetchSite = request.headers['sec-fetch-site'];
  assertSameOrigin(core.settings, {
    origin: request.headers.origin,
    fetchSite: typeof fetchSite === 'string' ? fetchSite : undefined,
    protocol: request.protocol,
    host: request.headers.host,
  });
}
