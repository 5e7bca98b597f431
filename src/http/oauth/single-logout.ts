import type Provider from 'oidc-provider';
import { liveSessionOfToken, logout } from '../../authn/sessions.js';
import type { Core } from '../../core.js';
import { clearedSignInCookies, SESSION_COOKIE } from '../cookies.js';
import { cookieOf } from './provider-pages.js';

/**
 * Signing out at the provider (RP-initiated logout, "Sign out" confirmed)
 * signs the browser out of Gatehouse too: the provider ends its own session
 * and grants and tells the other apps (back-channel logout); this ends the
 * Gatehouse session behind it, so no app signs the user in again silently.
 */
export function signOutOfGatehouseToo(core: Core) {
  return (provider: Provider): void => {
    // The account whose provider session a confirmed sign-out ended, by request.
    const confirmed = new WeakMap<object, string | undefined>();
    provider.on('end_session.success', (ctx) => {
      // Only a sign-out the user was asked about. Without a session of its own
      // oidc-provider asks nothing (its page submits `logout` by itself), so a
      // mere link to the endpoint would sign any Gatehouse user out.
      if (ctx.oidc.params?.logout && ctx.oidc.session?.accountId)
        confirmed.set(ctx, ctx.oidc.session.accountId);
    });
    provider.use(async (ctx, next) => {
      await next();
      if (!confirmed.has(ctx)) return;
      const accountId = confirmed.get(ctx);
      const token = cookieOf(ctx.req, SESSION_COOKIE);
      const session = token === undefined ? null : await liveSessionOfToken(core, token);
      // Only that account's Gatehouse session. oidc-provider also ends its session by
      // itself when the browser signed in to Gatehouse as someone else ("Use another
      // account"): the new account's session stays.
      if (session && accountId !== undefined && session.userId !== accountId) return;
      const meta = { ip: ctx.ip || null, userAgent: ctx.get('user-agent').slice(0, 512) || null };
      if (session) await logout(core, { userId: session.userId, sessionId: session.id }, meta);
      ctx.append('set-cookie', clearedSignInCookies());
    });
  };
}
