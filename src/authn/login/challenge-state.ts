import type { Core } from '../../core.js';
import { sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import { findLiveLoginChallenge } from '../../store/repositories/login-challenges.js';
import { findUserById } from '../../store/repositories/users.js';
import { methodsToComplete } from '../mfa/registry.js';
import type { SecondFactorMethod } from '../mfa/second-factor.js';

/** What a login challenge still offers: the methods that may complete it and the tries left. */
export interface ChallengeState {
  methods: SecondFactorMethod[];
  attemptsLeft: number;
}

/**
 * Reads a live challenge without spending it, for a client that kept only the
 * challenge (the hosted challenge page): its methods as `afterFirstFactor`
 * named them, and how many wrong answers it still takes.
 */
export async function describeChallenge(core: Core, challenge: string): Promise<ChallengeState> {
  const { challengeMaxAttempts } = core.settings.mfa;
  const db = core.store.db;
  const found = await findLiveLoginChallenge(
    db,
    sha256(challenge),
    core.clock.now(),
    challengeMaxAttempts,
  );
  const user = found ? await findUserById(db, found.userId) : null;
  if (!found || !user || user.bannedAt !== null)
    throw new AuthError('invalid_challenge', 'The challenge is unknown, expired or already used.');
  return {
    methods: await methodsToComplete(core, found.userId, found.amr),
    attemptsLeft: challengeMaxAttempts - found.attempts,
  };
}
