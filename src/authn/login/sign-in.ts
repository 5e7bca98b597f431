import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import type { Session } from '../../store/repositories/sessions.js';
import { banStateForUpdate, type User } from '../../store/repositories/users.js';
import type { Db } from '../../store/schema.js';
import { audit } from '../audit.js';
import { csrfTokenFor } from '../csrf.js';
import type { RequestMeta } from '../meta.js';
import {
  createSession,
  enforceSessionCap,
  liveSessionOfToken,
  revokeSessionById,
} from '../sessions.js';
import { type IssuedAccessToken, issueAccessToken } from '../tokens/issue-access-token.js';
import { startRefreshFamily } from '../tokens/refresh-tokens.js';
import { withRevocations } from '../tokens/revocations.js';
import { type Authentication, acrOf } from './assurance.js';

export interface SignedIn {
  session: Session;
  /** For the session cookie. */
  sessionToken: string;
  refreshToken: string;
  csrfToken: string;
  access: IssuedAccessToken;
}

export interface SignInOptions {
  /** The session cookie the browser sent along, if any. */
  previousSessionToken?: string | undefined;
  /** A session that may only enrol a second factor (`mfa.requiredForRoles`). */
  restriction?: 'mfa_enrollment' | null;
  /**
   * Uses up what the sign-in redeems (a login challenge), first thing in the
   * session's transaction: it throws when another use won, and a sign-in that
   * fails leaves it unused.
   */
  claim?: (db: Db) => Promise<void>;
}

/** What the steps of a sign-in proved: their methods, and when the first of them was verified. */
export interface SignInProof {
  amr: readonly string[];
  /** Epoch ms; now when absent. */
  authTime?: number;
}

/**
 * The one way a verified user becomes signed in, whatever proved who they are
 * (the last step of every path in flow.ts):
 * a session row and its first refresh token, written together, then an access
 * token. A session the same browser still held is ended (ASVS 7.2.4): a new
 * sign-in never leaves the old one alive behind it, whoever it belonged to.
 */
export async function signIn(
  core: Core,
  user: User,
  meta: RequestMeta,
  proof: SignInProof,
  options: SignInOptions = {},
): Promise<SignedIn> {
  const auth: Authentication = {
    amr: proof.amr,
    acr: acrOf(proof.amr),
    authTime: proof.authTime ?? core.clock.now(),
  };
  const previous = options.previousSessionToken
    ? await liveSessionOfToken(core, options.previousSessionToken)
    : null;
  // One transaction: the new session, its refresh family, its audit row, the
  // end of the session this browser held and the cap's evictions, or none.
  const { session, token, refreshToken } = await withRevocations(core, async (revoke) => {
    const trx = revoke.db;
    if (options.claim) await options.claim(trx);
    // The first factor read the user before this transaction: a ban that
    // committed since must not get a session past it.
    const state = await banStateForUpdate(trx, user.id, core.store.dialect === 'postgres');
    if (state === null || state.bannedAt !== null)
      throw new AuthError('account_banned', 'This account is suspended.');
    const created = await createSession(core, user, meta, auth, options.restriction ?? null, trx);
    const refresh = await startRefreshFamily(core, created.session.id, trx);
    await audit(
      core,
      {
        type: 'login',
        outcome: 'success',
        userId: user.id,
        detail: {
          sessionId: created.session.id,
          amr: auth.amr.join(' '),
          acr: auth.acr,
          ...(previous ? { replacedSessionId: previous.id } : {}),
        },
      },
      meta,
      trx,
    );
    if (previous)
      await revokeSessionById(core, previous.userId, previous.id, 'signed_in_again', revoke);
    await enforceSessionCap(core, user.id, meta, revoke);
    return { ...created, refreshToken: refresh };
  });
  const access = await issueAccessToken(core, {
    userId: user.id,
    sessionId: session.id,
    roles: user.roles,
    rolesVersion: user.rolesVersion,
    auth,
    restriction: session.restriction,
  });
  return {
    session,
    sessionToken: token,
    refreshToken,
    csrfToken: csrfTokenFor(core.secretKey, session.id),
    access,
  };
}
