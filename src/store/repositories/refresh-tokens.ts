import type { Db, RefreshTokensTable } from '../schema.js';

export type RefreshTokenRow = RefreshTokensTable;

export async function insertRefreshToken(
  db: Db,
  row: Omit<RefreshTokensTable, 'rotated_at'>,
): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({ ...row, rotated_at: null })
    .execute();
}

export const findRefreshTokenByHash = (
  db: Db,
  tokenHash: string,
): Promise<RefreshTokenRow | undefined> =>
  db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();

export const findSuccessor = (db: Db, parentId: string): Promise<RefreshTokenRow | undefined> =>
  db.selectFrom('refresh_tokens').selectAll().where('parent_id', '=', parentId).executeTakeFirst();

/** Marks a token rotated; false when another request rotated it first. */
export async function markRotated(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ rotated_at: now })
    .where('id', '=', id)
    .where('rotated_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
