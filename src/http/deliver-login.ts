import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterFirstFactor, type FirstFactor, type LoginOutcome } from '../authn/login/flow.js';
import type { SignedIn } from '../authn/login/sign-in.js';
import type { RequestMeta } from '../authn/meta.js';
import type { Core } from '../core.js';
import type { User } from '../store/repositories/users.js';
import { SESSION_COOKIE, setRefreshCookie, setSessionCookie } from './cookies.js';
import { userView } from './schemas.js';

export type RefreshTokenDelivery = 'cookie' | 'body';

/**
 * The one answer of every route that signs in (password, second factor,
 * passkey, magic link): a challenge when a second factor is awaited (no
 * cookie, no token), else the session cookie, the CSRF token, the access
 * token and the refresh token (as a cookie, or in the body when asked).
 */
export function deliverLogin(
  core: Core,
  reply: FastifyReply,
  outcome: LoginOutcome,
  delivery: RefreshTokenDelivery,
): Record<string, unknown> {
  if (outcome.kind === 'mfa_required') {
    return {
      mfaRequired: true,
      methods: outcome.methods,
      challenge: outcome.challenge,
      expiresIn: outcome.expiresInSeconds,
    };
  }
  const { signedIn, user } = outcome;
  const inBody = delivery === 'body';
  setLoginCookies(core, reply, signedIn, { refreshCookie: !inBody });
  return {
    user: userView(user),
    csrfToken: signedIn.csrfToken,
    ...signedIn.access,
    ...(inBody ? { refreshToken: signedIn.refreshToken } : {}),
    ...(outcome.mfaEnrollmentRequired ? { mfaEnrollmentRequired: true } : {}),
  };
}

/** The session cookie, and the refresh-token cookie unless the token goes in a body. */
export function setLoginCookies(
  core: Core,
  reply: FastifyReply,
  signedIn: SignedIn,
  options: { refreshCookie: boolean } = { refreshCookie: true },
): void {
  const { absoluteTimeoutSeconds } = core.settings.session;
  setSessionCookie(reply, signedIn.sessionToken, absoluteTimeoutSeconds);
  if (options.refreshCookie) setRefreshCookie(reply, signedIn.refreshToken, absoluteTimeoutSeconds);
}

/**
 * A route's first step has proved `first` for `user`: on to the flow (a
 * session, or a challenge), ending the session this browser still held, and
 * the one answer above.
 */
export async function deliverFirstFactor(
  ctx: { core: Core; request: FastifyRequest; reply: FastifyReply; meta: RequestMeta },
  user: User,
  first: FirstFactor,
  delivery: RefreshTokenDelivery,
): Promise<Record<string, unknown>> {
  const outcome = await afterFirstFactor(ctx.core, user, first, ctx.meta, {
    previousSessionToken: ctx.request.cookies[SESSION_COOKIE],
  });
  return deliverLogin(ctx.core, ctx.reply, outcome, delivery);
}
