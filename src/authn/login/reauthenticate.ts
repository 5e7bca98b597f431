import type { Core } from '../../core.js';
import { randomToken, sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import type { Principal } from '../../principal.js';
import {
  findLiveSessionById,
  replaceSessionToken,
  setSessionAuthentication,
} from '../../store/repositories/sessions.js';
import { findUserById, type User, withoutSecret } from '../../store/repositories/users.js';
import { audit } from '../audit.js';
import { guessPassword } from '../credentials/password.js';
import { csrfTokenFor } from '../csrf.js';
import type { RequestMeta } from '../meta.js';
import type { SecondFactorMethod, SecondFactorProof } from '../mfa/second-factor.js';
import { forgetCachedSession } from '../sessions.js';
import { type IssuedAccessToken, issueAccessToken } from '../tokens/issue-access-token.js';
import { type Authentication, acrOf, combineAmr } from './assurance.js';
import { attemptSecondFactor } from './second-factor-attempt.js';

/** What the caller proves again: the password, or one of their second factors. */
export type ReauthProof =
  | { method: 'password'; password: string }
  | { method: SecondFactorMethod; proof: SecondFactorProof };

export interface Reauthenticated {
  auth: Authentication;
  restriction: 'mfa_enrollment' | null;
  access: IssuedAccessToken;
  csrfToken: string;
  /** The session cookie's new value, when the caller came with the cookie; the old one is dead. */
  sessionToken: string | null;
  /** When the session ends at the latest (epoch ms), for the cookie's lifetime. */
  absoluteExpiresAt: number;
}

const noSession = () => new AuthError('unauthenticated', 'Re-authentication needs a live session.');

/**
 * Step-up on the caller's own session (RFC 9470's recovery): proves a factor
 * again and renews the session's `amr`, `acr` and `authTime` in place. How the
 * methods combine:
 * - a password proves the first factor again, nothing more: `amr` becomes
 *   `["pwd"]` and the session `aal1`, even if it was signed in with a second
 *   factor, which this re-authentication did not prove;
 * - a second factor completes the session's sign-in as `/auth/mfa/verify`
 *   completes a challenge (the session stands for its first factor): `amr`
 *   is the session's plus the factor's, usually `aal2`.
 * An `aal2` re-authentication lifts an enrolment-only restriction.
 *
 * A caller who came with the session cookie (`presentedToken`) gets a new
 * cookie token and the old one dies (ASVS 7.2.4: a new session token on
 * re-authentication); the session, its refresh tokens and its access tokens
 * stay, so a token client of the same session is not signed out.
 */
export async function reauthenticate(
  core: Core,
  principal: Principal,
  proof: ReauthProof,
  meta: RequestMeta,
  presentedToken?: string,
): Promise<Reauthenticated> {
  const db = core.store.db;
  const session = principal.sessionId
    ? await findLiveSessionById(db, principal.sessionId, core.clock.now())
    : null;
  const found = session ? await findUserById(db, session.userId) : null;
  if (!session || !found || found.bannedAt !== null) throw noSession();
  const user = withoutSecret(found);
  const amr =
    proof.method === 'password'
      ? await provePassword(core, user, proof.password, meta)
      : combineAmr(session.amr, await proveFactor(core, user, proof, meta));
  const acr = acrOf(amr);
  const auth: Authentication = { amr, acr, authTime: core.clock.now() };
  const restriction = acr === 'aal2' ? null : session.restriction;
  const rotate = principal.via === 'session' && presentedToken !== undefined;
  const newToken = rotate ? randomToken() : null;
  const sessionToken = await db.transaction().execute(async (trx) => {
    if (!(await setSessionAuthentication(trx, session.id, { ...auth, restriction })))
      throw noSession();
    // A parallel re-authentication that rotated the same cookie first keeps its token.
    const rotated =
      newToken !== null &&
      presentedToken !== undefined &&
      (await replaceSessionToken(trx, session.id, sha256(presentedToken), sha256(newToken)));
    const detail = { sessionId: session.id, method: proof.method, amr: amr.join(' '), acr };
    await audit(
      core,
      { type: 'reauthenticated', outcome: 'success', userId: user.id, detail },
      meta,
      trx,
    );
    return rotated ? newToken : null;
  });
  // The old cookie and the old assurance die here at once (elsewhere within the cache's TTL).
  forgetCachedSession(core, session.id);
  const access = await issueAccessToken(core, {
    userId: user.id,
    sessionId: session.id,
    roles: user.roles,
    rolesVersion: user.rolesVersion,
    auth,
    restriction,
  });
  return {
    auth,
    restriction,
    access,
    csrfToken: csrfTokenFor(core.secretKey, session.id),
    sessionToken,
    absoluteExpiresAt: session.absoluteExpiresAt,
  };
}

const failed = (core: Core, user: User, method: string, meta: RequestMeta) =>
  audit(
    core,
    { type: 'reauthenticated', outcome: 'failure', userId: user.id, detail: { method } },
    meta,
  );

/** One password guess under the login limits (429 past them), like a login. */
async function provePassword(
  core: Core,
  user: User,
  password: string,
  meta: RequestMeta,
): Promise<string[]> {
  const right = await guessPassword(core, user.email, password, meta.ip);
  if (!right || right.id !== user.id) {
    await failed(core, user, 'password', meta);
    throw new AuthError('invalid_credentials', 'The password is wrong.');
  }
  return ['pwd'];
}

/** One second-factor attempt under the second-factor login limits, through the factor's own `verify`. */
async function proveFactor(
  core: Core,
  user: User,
  proof: { method: SecondFactorMethod; proof: SecondFactorProof },
  meta: RequestMeta,
): Promise<readonly string[]> {
  const added = await attemptSecondFactor(core, user, proof.method, proof.proof, { meta }, []);
  if (!added) {
    await failed(core, user, proof.method, meta);
    throw new AuthError('invalid_code', 'The code or assertion is not right.');
  }
  return added;
}
