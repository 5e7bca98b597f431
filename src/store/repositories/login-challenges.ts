import type { Db } from '../schema.js';

export interface LoginChallenge {
  id: string;
  userId: string;
  /** The first factor's methods. */
  amr: string[];
  authTime: number;
  attempts: number;
}

export async function insertLoginChallenge(
  db: Db,
  challenge: {
    id: string;
    tokenHash: string;
    userId: string;
    amr: readonly string[];
    authTime: number;
    now: number;
    expiresAt: number;
  },
): Promise<void> {
  await db
    .insertInto('login_challenges')
    .values({
      id: challenge.id,
      token_hash: challenge.tokenHash,
      user_id: challenge.userId,
      amr: JSON.stringify(challenge.amr),
      auth_time: challenge.authTime,
      attempts: 0,
      created_at: challenge.now,
      expires_at: challenge.expiresAt,
      used_at: null,
    })
    .execute();
}

/** An unused, unexpired challenge with attempts left, or null. */
export async function findLiveLoginChallenge(
  db: Db,
  tokenHash: string,
  now: number,
  maxAttempts: number,
): Promise<LoginChallenge | null> {
  const row = await db
    .selectFrom('login_challenges')
    .select(['id', 'user_id', 'amr', 'auth_time', 'attempts'])
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('attempts', '<', maxAttempts)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    amr: JSON.parse(row.amr) as string[],
    authTime: Number(row.auth_time),
    attempts: row.attempts,
  };
}

/**
 * Takes one attempt, atomically: of parallel attempts at most `maxAttempts`
 * in all get one. False when none is left or the challenge is used.
 */
export async function takeChallengeAttempt(
  db: Db,
  id: string,
  maxAttempts: number,
): Promise<boolean> {
  const result = await db
    .updateTable('login_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('attempts', '<', maxAttempts)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Uses the challenge up; of parallel uses exactly one gets true. */
export async function consumeLoginChallenge(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('login_challenges')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Ends every open challenge of the user (a password change or reset): a
 * challenge stands for a first factor that was right when it was made, and
 * must not outlive the password that won it.
 */
export async function retireLoginChallenges(db: Db, userId: string, now: number): Promise<void> {
  await db
    .updateTable('login_challenges')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}
