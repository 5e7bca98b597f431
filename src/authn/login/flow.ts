import { randomUUID } from 'node:crypto';
import type { Core } from '../../core.js';
import { randomToken, sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import {
  consumeLoginChallenge,
  findLiveLoginChallenge,
  insertLoginChallenge,
  type LoginChallenge,
  takeChallengeAttempt,
} from '../../store/repositories/login-challenges.js';
import { findUserById, type User, withoutSecret } from '../../store/repositories/users.js';
import type { Db } from '../../store/schema.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';
import { enrolledMethods, methodsToComplete } from '../mfa/registry.js';
import type { SecondFactorMethod, SecondFactorProof } from '../mfa/second-factor.js';
import { acrOf, combineAmr } from './assurance.js';
import { refuseIfUnverified } from './refuse-unverified.js';
import { attemptSecondFactor } from './second-factor-attempt.js';
import { type SignedIn, type SignInOptions, signIn } from './sign-in.js';

/**
 * Sign-in as a flow. A first step (password, passkey, magic link, an
 * upstream provider) proves one thing and calls `afterFirstFactor`; an
 * account with a second factor then gets a challenge instead of a session,
 * which `completeSecondFactor` redeems. Every path ends in the one `signIn`.
 */
export type LoginOutcome = SignedInOutcome | MfaRequiredOutcome;

export interface SignedInOutcome {
  kind: 'signed_in';
  user: User;
  signedIn: SignedIn;
  /** The user's roles demand a second factor they do not have: the session may only enrol one. */
  mfaEnrollmentRequired: boolean;
}

export interface MfaRequiredOutcome {
  kind: 'mfa_required';
  methods: SecondFactorMethod[];
  /** Opaque and single-use; only its hash is stored. */
  challenge: string;
  expiresInSeconds: number;
}

export interface FirstFactor {
  /**
   * The methods the step proved, e.g. `["pwd"]`, `["email"]`, `["hwk","user"]`;
   * a passkey's `hwk` also keeps passkeys out of the second step (methodsToComplete).
   */
  amr: readonly string[];
}

/** Given a verified first factor: a session, or a challenge when the account has a second factor. */
export async function afterFirstFactor(
  core: Core,
  user: User,
  first: FirstFactor,
  meta: RequestMeta,
  options: SignInOptions = {},
): Promise<LoginOutcome> {
  await refuseIfUnverified(core, user, meta, first.amr);
  const authTime = core.clock.now();
  // A step that is multi-factor by itself (a passkey that verified the user) needs no second one.
  const methods =
    acrOf(first.amr) === 'aal2' ? [] : await methodsToComplete(core, user.id, first.amr);
  if (methods.length > 0) {
    const challenge = randomToken();
    const lifetimeSeconds = core.settings.mfa.challengeLifetimeSeconds;
    await insertLoginChallenge(core.store.db, {
      id: randomUUID(),
      tokenHash: sha256(challenge),
      userId: user.id,
      amr: first.amr,
      authTime,
      now: authTime,
      expiresAt: authTime + lifetimeSeconds * 1000,
    });
    await audit(
      core,
      {
        type: 'mfa_challenge',
        outcome: 'success',
        userId: user.id,
        detail: { amr: first.amr.join(' ') },
      },
      meta,
    );
    return { kind: 'mfa_required', methods, challenge, expiresInSeconds: lifetimeSeconds };
  }
  return finish(core, user, { amr: first.amr, authTime }, meta, options);
}

async function finish(
  core: Core,
  user: User,
  proof: { amr: readonly string[]; authTime: number },
  meta: RequestMeta,
  options: SignInOptions,
): Promise<SignedInOutcome> {
  const mfaEnrollmentRequired =
    acrOf(proof.amr) !== 'aal2' && mustEnrol(core, user) && !(await hasSecondFactor(core, user));
  const signedIn = await signIn(core, user, meta, proof, {
    ...options,
    restriction: mfaEnrollmentRequired ? 'mfa_enrollment' : null,
  });
  return { kind: 'signed_in', user, signedIn, mfaEnrollmentRequired };
}

const mustEnrol = (core: Core, user: User): boolean =>
  user.roles.some((role) => core.settings.mfa.requiredForRoles.includes(role));

const hasSecondFactor = async (core: Core, user: User): Promise<boolean> =>
  (await enrolledMethods(core, user.id)).length > 0;

const invalidChallenge = () =>
  new AuthError('invalid_challenge', 'The challenge is unknown, expired or already used.');

export interface SecondStep {
  challenge: string;
  method: SecondFactorMethod;
  proof: SecondFactorProof;
}

/**
 * Redeems a challenge with a second factor. The account's login limits
 * apply (per account and source, 429), each try takes one of the challenge's
 * attempts before the proof is checked (so parallel guesses cannot exceed
 * them), and a right proof uses the challenge up: of parallel right proofs,
 * one signs in.
 */
export async function completeSecondFactor(
  core: Core,
  step: SecondStep,
  meta: RequestMeta,
  options: SignInOptions = {},
): Promise<SignedInOutcome> {
  const { challengeMaxAttempts } = core.settings.mfa;
  const db = core.store.db;
  const challenge = await findLiveLoginChallenge(
    db,
    sha256(step.challenge),
    core.clock.now(),
    challengeMaxAttempts,
  );
  if (!challenge) throw invalidChallenge();
  const found = await findUserById(db, challenge.userId);
  if (!found || found.bannedAt !== null) throw invalidChallenge();
  const user = withoutSecret(found);
  const added = await attemptSecondFactor(
    core,
    user,
    step.method,
    step.proof,
    { meta, challengeId: challenge.id },
    challenge.amr,
    async () => {
      if (!(await takeChallengeAttempt(db, challenge.id, challengeMaxAttempts)))
        throw invalidChallenge();
    },
  );
  if (!added) {
    await auditSecondFactor(core, user, step.method, 'failure', meta);
    throw new AuthError('invalid_code', 'The code or assertion is not right.');
  }
  // The challenge is used up with the session it buys, in one transaction: of
  // parallel right proofs one signs in, and a sign-in that fails spends nothing.
  const claim = async (trx: Db) => {
    if (!(await consumeLoginChallenge(trx, challenge.id, core.clock.now())))
      throw invalidChallenge();
    await auditSecondFactor(core, user, step.method, 'success', meta, trx);
  };
  return finish(core, user, proofOf(challenge, added), meta, { ...options, claim });
}

const proofOf = (challenge: LoginChallenge, added: readonly string[]) => ({
  amr: combineAmr(challenge.amr, added),
  // The sign-in happened when its first step did: a slow second step does not make it more recent.
  authTime: challenge.authTime,
});

const auditSecondFactor = (
  core: Core,
  user: User,
  method: SecondFactorMethod,
  outcome: 'success' | 'failure',
  meta: RequestMeta,
  db: Db = core.store.db,
) => audit(core, { type: 'mfa_verify', outcome, userId: user.id, detail: { method } }, meta, db);
