import type { Db, SigningKeysTable } from '../schema.js';

export type SigningKeyRow = SigningKeysTable;

export async function insertSigningKey(db: Db, row: SigningKeysTable): Promise<void> {
  await db.insertInto('signing_keys').values(row).execute();
}

/** Newest first. */
export const listSigningKeys = (db: Db): Promise<SigningKeyRow[]> =>
  db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid').execute();

export async function retireSigningKeys(db: Db, exceptKid: string, now: number): Promise<void> {
  await db
    .updateTable('signing_keys')
    .set({ retired_at: now })
    .where('kid', '!=', exceptKid)
    .where('retired_at', 'is', null)
    .execute();
}

/** Drops keys retired long enough ago that no token they signed can still be valid. */
export async function deleteSigningKeysRetiredBefore(db: Db, cutoff: number): Promise<void> {
  await db.deleteFrom('signing_keys').where('retired_at', '<', cutoff).execute();
}
