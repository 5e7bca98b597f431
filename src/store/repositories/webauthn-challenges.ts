import type { Db, WebauthnChallengesTable } from '../schema.js';

export type WebauthnPurpose = WebauthnChallengesTable['purpose'];

/** Whom a challenge is for: a user (registration, re-authentication), a login challenge (second factor), or anyone (passkey sign-in). */
export interface ChallengeBinding {
  purpose: WebauthnPurpose;
  userId: string | null;
  loginChallengeId: string | null;
}

export async function insertWebauthnChallenge(
  db: Db,
  challenge: ChallengeBinding & { id: string; hash: string; now: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('webauthn_challenges')
    .values({
      id: challenge.id,
      challenge_hash: challenge.hash,
      purpose: challenge.purpose,
      user_id: challenge.userId,
      login_challenge_id: challenge.loginChallengeId,
      created_at: challenge.now,
      expires_at: challenge.expiresAt,
      used_at: null,
    })
    .execute();
}

/** A login challenge keeps one live WebAuthn challenge: asking again replaces it. */
export async function deleteChallengesOfLogin(db: Db, loginChallengeId: string): Promise<void> {
  await db
    .deleteFrom('webauthn_challenges')
    .where('login_challenge_id', '=', loginChallengeId)
    .execute();
}

/**
 * Uses the challenge up if it is live and bound as `binding` says; of
 * parallel uses exactly one gets true.
 */
export async function consumeWebauthnChallenge(
  db: Db,
  hash: string,
  binding: ChallengeBinding,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('webauthn_challenges')
    .set({ used_at: now })
    .where('challenge_hash', '=', hash)
    .where('purpose', '=', binding.purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where((eb) =>
      binding.userId === null ? eb('user_id', 'is', null) : eb('user_id', '=', binding.userId),
    )
    .where((eb) =>
      binding.loginChallengeId === null
        ? eb('login_challenge_id', 'is', null)
        : eb('login_challenge_id', '=', binding.loginChallengeId),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
