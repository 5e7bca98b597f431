import { randomUUID } from 'node:crypto';
import type { Db, OneTimeTokensTable } from '../schema.js';

export type TokenPurpose = OneTimeTokensTable['purpose'];

export async function insertOneTimeToken(
  db: Db,
  token: {
    tokenHash: string;
    userId: string;
    purpose: TokenPurpose;
    expiresAt: number;
    now: number;
  },
): Promise<void> {
  await db
    .insertInto('one_time_tokens')
    .values({
      id: randomUUID(),
      token_hash: token.tokenHash,
      user_id: token.userId,
      purpose: token.purpose,
      expires_at: token.expiresAt,
      used_at: null,
      created_at: token.now,
    })
    .execute();
}

/** An unused, unexpired token of this purpose. */
const liveToken = (db: Db, tokenHash: string, purpose: TokenPurpose, now: number) =>
  db
    .selectFrom('one_time_tokens')
    .select(['id', 'user_id'])
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now);

/** The user of a live token, without using it up. */
export async function findLiveOneTimeToken(
  db: Db,
  tokenHash: string,
  purpose: TokenPurpose,
  now: number,
): Promise<string | null> {
  const row = await liveToken(db, tokenHash, purpose, now).executeTakeFirst();
  return row?.user_id ?? null;
}

/**
 * Marks the token used and returns its user, atomically: of two concurrent
 * redemptions only one sees a row updated. Null when unknown, used or expired.
 */
export async function consumeOneTimeToken(
  db: Db,
  tokenHash: string,
  purpose: TokenPurpose,
  now: number,
): Promise<string | null> {
  const row = await liveToken(db, tokenHash, purpose, now).executeTakeFirst();
  if (!row) return null;
  const result = await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n ? row.user_id : null;
}

/** A new reset link makes the older ones useless. */
export async function invalidateOneTimeTokens(
  db: Db,
  userId: string,
  purpose: TokenPurpose,
  now: number,
): Promise<void> {
  await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}

/** A new token of this purpose for the user, retiring the live ones: one live link per purpose. */
export async function replaceOneTimeToken(
  db: Db,
  token: Parameters<typeof insertOneTimeToken>[1],
): Promise<void> {
  await invalidateOneTimeTokens(db, token.userId, token.purpose, token.now);
  await insertOneTimeToken(db, token);
}
