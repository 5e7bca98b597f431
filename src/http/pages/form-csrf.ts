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

const sign = (core: Core, nonce: string) =>
  createHmac('sha256', core.secretKey).update(`form-csrf:${nonce}`).digest('base64url');

const isSigned = (core: Core, value: string): boolean => {
  const [nonce, mac, extra] = value.split('.');
  return !!nonce && !!mac && extra === undefined && constantTimeEqual(sign(core, nonce), mac);
};

function preSessionToken(core: Core, request: FastifyRequest, reply: FastifyReply): string {
  const existing = request.cookies[FORM_COOKIE];
  if (existing && isSigned(core, existing)) return existing;
  const nonce = randomBytes(18).toString('base64url');
  const token = `${nonce}.${sign(core, nonce)}`;
  reply.setCookie(FORM_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'lax', path: '/' });
  return token;
}

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
  return !!cookie && constantTimeEqual(cookie, presented) && isSigned(core, cookie);
}
