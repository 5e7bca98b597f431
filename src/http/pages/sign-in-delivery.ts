import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterFirstFactor, type FirstFactor, type LoginOutcome } from '../../authn/login/flow.js';
import type { RequestMeta } from '../../authn/meta.js';
import type { Core } from '../../core.js';
import type { User } from '../../store/repositories/users.js';
import { SESSION_COOKIE } from '../cookies.js';
import { setLoginCookies } from '../deliver-login.js';
import { clearFormCookie } from './form-csrf.js';
import { type PageResult, redirect } from './page.js';
import { withReturnTo } from './return-to.js';

/**
 * A second step's challenge rides in its own HttpOnly cookie between the
 * sign-in page and the challenge page: never in a URL, a form or a log.
 */
export const CHALLENGE_COOKIE = '__Host-gh_challenge';

const challengeCookieOptions = (maxAgeSeconds: number): CookieSerializeOptions => ({
  httpOnly: true,
  secure: true,
  sameSite: 'strict',
  path: '/',
  maxAge: maxAgeSeconds,
});

export const challengeOf = (request: FastifyRequest): string | undefined =>
  request.cookies[CHALLENGE_COOKIE];

/** Keeps a challenge for the challenge page; it lives no longer than the challenge itself. */
export const keepChallenge = (
  reply: FastifyReply,
  challenge: string,
  maxAgeSeconds: number,
): void => {
  reply.setCookie(CHALLENGE_COOKIE, challenge, challengeCookieOptions(maxAgeSeconds));
};

export const clearChallenge = (reply: FastifyReply): void => {
  reply.clearCookie(CHALLENGE_COOKIE, challengeCookieOptions(0));
};

/**
 * The pages' one answer to a finished step: signed in → cookies and on to
 * `returnTo` (or to the security page when a factor must be enrolled first);
 * a second factor due → the challenge cookie and the challenge page.
 */
export function deliverPageLogin(
  core: Core,
  reply: FastifyReply,
  outcome: LoginOutcome,
  returnTo: string,
): PageResult {
  if (outcome.kind === 'mfa_required') {
    keepChallenge(reply, outcome.challenge, outcome.expiresInSeconds);
    return redirect(withReturnTo('/login/mfa', returnTo));
  }
  clearChallenge(reply);
  clearFormCookie(reply);
  setLoginCookies(core, reply, outcome.signedIn);
  return redirect(outcome.mfaEnrollmentRequired ? '/account/security' : returnTo);
}

/** A page's first step has proved `first` for `user`: ends this browser's old session, then the answer above. */
export async function deliverPageFirstFactor(
  ctx: { core: Core; request: FastifyRequest; reply: FastifyReply; meta: RequestMeta },
  user: User,
  first: FirstFactor,
  returnTo: string,
): Promise<PageResult> {
  const outcome = await afterFirstFactor(ctx.core, user, first, ctx.meta, {
    previousSessionToken: ctx.request.cookies[SESSION_COOKIE],
  });
  return deliverPageLogin(ctx.core, ctx.reply, outcome, returnTo);
}
