import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply } from 'fastify';

/**
 * `__Host-` makes the browser insist on Secure, Path=/ and no Domain, so a
 * sibling subdomain cannot plant or overwrite it. Browsers accept Secure
 * cookies from http://localhost, so development needs no exception.
 */
export const SESSION_COOKIE = '__Host-gh_session';

const sessionCookieOptions = (maxAgeSeconds: number): CookieSerializeOptions => ({
  httpOnly: true,
  secure: true,
  sameSite: 'lax',
  path: '/',
  maxAge: maxAgeSeconds,
});

export function setSessionCookie(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(maxAgeSeconds));
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(0));
}
