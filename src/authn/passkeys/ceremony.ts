import { randomBytes, randomUUID } from 'node:crypto';
import type { Core } from '../../core.js';
import { sha256 } from '../../crypto/random.js';
import { isAuthError } from '../../errors.js';
import {
  type ChallengeBinding,
  consumeWebauthnChallenge,
  insertWebauthnChallenge,
} from '../../store/repositories/webauthn-challenges.js';
import type { RelyingParty } from './relying-party.js';

/** 256 random bits; SimpleWebAuthn puts them, base64url, in the options' `challenge`. */
export const newChallenge = (): Uint8Array<ArrayBuffer> => new Uint8Array(randomBytes(32));

/** Keeps the options' challenge server-side (its hash), bound to what it is for, single-use. */
export async function storeChallenge(
  core: Core,
  rp: RelyingParty,
  challenge: string,
  binding: ChallengeBinding,
): Promise<void> {
  const now = core.clock.now();
  await insertWebauthnChallenge(core.store.db, {
    ...binding,
    id: randomUUID(),
    hash: sha256(challenge),
    now,
    expiresAt: now + rp.challengeLifetimeSeconds * 1000,
  });
}

/** SimpleWebAuthn passes what the client's JSON holds, unchecked: a string only if the client says so. */
type ExpectedChallenge = (challenge: unknown) => Promise<boolean>;

/**
 * Runs one SimpleWebAuthn verification with a challenge check that uses the
 * stored challenge up (of parallel uses of one challenge, one gets past it).
 * The library throws a plain Error for a wrong, forged or replayed response:
 * that is null here. Our own failures (the database) pass through as they are.
 */
export async function verifyCeremony<T>(
  core: Core,
  binding: ChallengeBinding,
  run: (expectedChallenge: ExpectedChallenge) => Promise<T>,
): Promise<T | null> {
  let ownFailure: { error: unknown } | null = null;
  const expectedChallenge: ExpectedChallenge = async (challenge) => {
    // The client's JSON says what the challenge is: a number or an object there is just wrong.
    if (typeof challenge !== 'string') return false;
    try {
      return await consumeWebauthnChallenge(
        core.store.db,
        sha256(challenge),
        binding,
        core.clock.now(),
      );
    } catch (error) {
      ownFailure = { error };
      throw error;
    }
  };
  try {
    return await run(expectedChallenge);
  } catch (error) {
    if (ownFailure) throw (ownFailure as { error: unknown }).error;
    if (isAuthError(error)) throw error;
    // The library quotes the values it saw (a challenge among them): keep the reason, not the values.
    const reason = error instanceof Error ? error.message.replace(/"[^"]*"/g, '"…"') : 'unknown';
    core.logger.info({ purpose: binding.purpose, reason }, 'webauthn response refused');
    return null;
  }
}
