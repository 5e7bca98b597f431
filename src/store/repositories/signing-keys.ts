import type { Db, SigningKeysTable } from '../schema.js';

export type SigningKeyRow = SigningKeysTable;

export async function insertSigningKey(db: Db, row: SigningKeysTable): Promise<void> {
  await db.insertInto('signing_keys').values(row).execute();
}

/** Newest first. */
export const listSigningKeys = (db: Db): Promise<SigningKeyRow[]> =>
  db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid').execute();

/** Retires every active key but `keepKids` (the set that signs from now on). */
export async function retireSigningKeys(
  db: Db,
  keepKids: readonly string[],
  now: number,
): Promise<void> {
  let query = db
    .updateTable('signing_keys')
    .set({ retired_at: now })
    .where('retired_at', 'is', null);
  if (keepKids.length > 0) query = query.where('kid', 'not in', [...keepKids]);
  await query.execute();
}

/** Drops keys retired long enough ago that no token they signed can still be valid. */
export async function deleteSigningKeysRetiredBefore(db: Db, cutoff: number): Promise<void> {
  await db.deleteFrom('signing_keys').where('retired_at', '<', cutoff).execute();
}

/** Which keys there are and which are retired, newest first: what a key ring checks for a change. */
export const listSigningKeyStates = (
  db: Db,
): Promise<Array<Pick<SigningKeyRow, 'kid' | 'retired_at'>>> =>
  db
    .selectFrom('signing_keys')
    .select(['kid', 'retired_at'])
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
