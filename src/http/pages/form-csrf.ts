import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfTokenFor, isValidCsrfToken } from '../../authn/csrf.js';
import type { Core } from '../../core.js';
import { constantTimeEqual } from '../../crypto/random.js';
import type { Principal } from '../../principal.js';

/** The hidden field every page form carries. */
export const CSRF_FIELD = '_csrf';

/**
 * Before there is a session (sign-in, sign-up, forgot password), a signed
 * double-submit cookie: a random value with its HMAC under the server secret.
 * Another site can neither read it nor, thanks to `__Host-`, plant one of its
 * own; and one it copied from its own visit does not match the victim's cookie.
 */
export const FORM_COOKIE = '__Host-gh_form';

/** A pre-session token is good for half a day; a page opened later gets a new one. */
const FORM_TOKEN_LIFETIME_SECONDS = 12 * 3600;

const sign = (core: Core, body: string) =>
  createHmac('sha256', core.secretKey).update(`form-csrf:${body}`).digest('base64url');

/** `nonce.issuedAt.mac`: signed by us and not too old. */
const isLiveToken = (core: Core, value: string): boolean => {
  const [nonce, issuedAt, mac, extra] = value.split('.');
  if (!nonce || !issuedAt || !mac || extra !== undefined || !/^\d{1,12}$/.test(issuedAt))
    return false;
  if (!constantTimeEqual(sign(core, `${nonce}.${issuedAt}`), mac)) return false;
  const ageSeconds = Math.floor(core.clock.now() / 1000) - Number(issuedAt);
  return ageSeconds >= 0 && ageSeconds < FORM_TOKEN_LIFETIME_SECONDS;
};

function preSessionToken(core: Core, request: FastifyRequest, reply: FastifyReply): string {
  const existing = request.cookies[FORM_COOKIE];
  if (existing && isLiveToken(core, existing)) return existing;
  const body = `${randomBytes(18).toString('base64url')}.${Math.floor(core.clock.now() / 1000)}`;
  const token = `${body}.${sign(core, body)}`;
  reply.setCookie(FORM_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    path: '/',
    maxAge: FORM_TOKEN_LIFETIME_SECONDS,
  });
  return token;
}

/** Signing in retires the pre-session token: the next signed-out form gets a fresh one. */
export const clearFormCookie = (reply: FastifyReply): void => {
  reply.clearCookie(FORM_COOKIE, { httpOnly: true, secure: true, sameSite: 'lax', path: '/' });
};

/** The token this request's forms carry: the session's, or the pre-session one. */
export const formToken = (
  core: Core,
  request: FastifyRequest,
  reply: FastifyReply,
  principal: Principal | null,
): string =>
  principal?.sessionId
    ? csrfTokenFor(core.secretKey, principal.sessionId)
    : preSessionToken(core, request, reply);

/**
 * A form post is genuine when its field holds the session's token, or, on a
 * page anyone may use, the pre-session token that matches its cookie.
 */
export function isGenuineForm(
  core: Core,
  request: FastifyRequest,
  principal: Principal | null,
  presented: unknown,
  publicPage: boolean,
): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 200)
    return false;
  if (principal?.sessionId && isValidCsrfToken(core.secretKey, principal.sessionId, presented))
    return true;
  if (!publicPage) return false;
  const cookie = request.cookies[FORM_COOKIE];
  return !!cookie && constantTimeEqual(cookie, presented) && isLiveToken(core, cookie);
}
