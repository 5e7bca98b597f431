import { type CookieSerializeOptions, fastifyCookie } from '@fastify/cookie';
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

/**
 * The refresh token rides only to the refresh endpoint (Path) and never on a
 * cross-site request (SameSite=Strict). `__Secure-` because `__Host-` demands Path=/.
 */
export const REFRESH_COOKIE = '__Secure-gh_refresh';
export const REFRESH_PATH = '/auth/refresh';

const refreshCookieOptions = (maxAgeSeconds: number): CookieSerializeOptions => ({
  httpOnly: true,
  secure: true,
  sameSite: 'strict',
  path: REFRESH_PATH,
  maxAge: maxAgeSeconds,
});

export function setRefreshCookie(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  reply.setCookie(REFRESH_COOKIE, token, refreshCookieOptions(maxAgeSeconds));
}

export function clearRefreshCookie(reply: FastifyReply): void {
  reply.clearCookie(REFRESH_COOKIE, refreshCookieOptions(0));
}

/**
 * `Set-Cookie` values that clear both sign-in cookies, for an answer that does
 * not go through a Fastify reply (the OpenID Provider's sign-out).
 */
export const clearedSignInCookies = (): string[] => [
  fastifyCookie.serialize(SESSION_COOKIE, '', { ...sessionCookieOptions(0), secure: true }),
  fastifyCookie.serialize(REFRESH_COOKIE, '', { ...refreshCookieOptions(0), secure: true }),
];
