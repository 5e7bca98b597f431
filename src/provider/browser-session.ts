import type { KoaContextWithOIDC } from 'oidc-provider';
import { liveSessionOfToken } from '../authn/sessions.js';
import type { Core } from '../core.js';
import type { Session } from '../store/repositories/sessions.js';

/** Reads the Gatehouse session cookie off a provider request (the HTTP layer names the cookie). */
export type SessionCookieReader = (ctx: KoaContextWithOIDC) => string | undefined;

/**
 * The Gatehouse session this browser is signed in with, when it may sign in
 * to other apps: live, and not limited to enrolling a second factor.
 */
export async function browserSessionOf(
  core: Core,
  readCookie: SessionCookieReader,
  ctx: KoaContextWithOIDC,
): Promise<Session | null> {
  const token = readCookie(ctx);
  if (token === undefined) return null;
  const session = await liveSessionOfToken(core, token);
  return session && session.restriction === null ? session : null;
}
