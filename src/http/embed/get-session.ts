import type { IncomingHttpHeaders } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import { authenticate } from '../../authn/authenticate.js';
import { isValidCsrfToken } from '../../authn/csrf.js';
import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import type { Principal } from '../../principal.js';
import { SESSION_COOKIE } from '../cookies.js';
import { isLoopbackAddress } from '../loopback.js';
import { assertSameOrigin } from '../same-origin.js';

/**
 * What getSession reads of a request: a Node request (Express's, Hono's `c.env.incoming`)
 * or a Fetch Request both fit. A request without `method` counts as unsafe, so a
 * cookie cannot skip the CSRF check by leaving it out.
 */
export interface SessionRequest {
  method?: string | undefined;
  headers: Headers | IncomingHttpHeaders;
  /** A Fetch Request's URL: `https:` counts as an encrypted transport. */
  url?: string | undefined;
  /** A Node request's socket: TLS or loopback (Basic's rule), and the address audited. */
  socket?: { remoteAddress?: string | undefined; encrypted?: boolean } | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function headerOf(headers: SessionRequest['headers'], name: string): string | undefined {
  if (typeof headers.get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as IncomingHttpHeaders)[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The cookie is the one credential a browser sends on its own, so an unsafe request
 * it authenticates must come from this site (or a trusted origin) and echo the
 * session's CSRF token in X-CSRF-Token, as Gatehouse's own API demands.
 */
function assertCsrf(
  core: Core,
  request: SessionRequest,
  sessionId: string,
  encrypted: boolean,
): void {
  const header = (name: string) => headerOf(request.headers, name);
  assertSameOrigin(core.settings, {
    origin: header('origin'),
    fetchSite: header('sec-fetch-site'),
    protocol: encrypted ? 'https' : 'http',
    host: header('host'),
  });
  const presented = header('x-csrf-token');
  if (presented === undefined || !isValidCsrfToken(core.secretKey, sessionId, presented))
    throw new AuthError('csrf_failed', 'Missing or wrong X-CSRF-Token header.');
}

/**
 * Who calls an embedding app's own route: the session cookie, an access token or an
 * API key (and Basic for service accounts), checked by the same core function as
 * Gatehouse's guards, in-process. Null: no credential, or one that is not valid.
 * Throws an AuthError (map it with `problemFor`) when the request may not be served
 * as this caller: `csrf_failed` (a cookie on an unsafe request without the CSRF
 * token or from another origin), `mfa_enrollment_required` (a session that may only
 * enrol a second factor), `unavailable` (the database is down).
 */
export async function getSession(core: Core, request: SessionRequest): Promise<Principal | null> {
  const header = (name: string) => headerOf(request.headers, name);
  const cookies = fastifyCookie.parse(header('cookie') ?? '');
  const remoteAddress = request.socket?.remoteAddress ?? null;
  const encrypted =
    request.socket?.encrypted === true || (request.url?.startsWith('https:') ?? false);
  const principal = await authenticate(core, {
    authorization: header('authorization'),
    apiKey: header('x-api-key'),
    sessionCookie: cookies[SESSION_COOKIE],
    transport: { encrypted, loopback: remoteAddress !== null && isLoopbackAddress(remoteAddress) },
    meta: { ip: remoteAddress, userAgent: header('user-agent')?.slice(0, 512) ?? null },
  });
  if (!principal) return null;
  const method = request.method?.toUpperCase() ?? '';
  if (principal.via === 'session' && principal.sessionId && !SAFE_METHODS.has(method))
    assertCsrf(core, request, principal.sessionId, encrypted);
  if (principal.restriction === 'mfa_enrollment')
    throw new AuthError(
      'mfa_enrollment_required',
      'Your role requires a second factor: enrol one (TOTP or a passkey) first.',
    );
  return principal;
}
