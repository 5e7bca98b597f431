import type { ApiKeysTable, Db } from '../schema.js';

export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  scopes: string[] | null;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface ApiKeyWithHash extends ApiKey {
  secretHash: string;
}

const toApiKey = (row: ApiKeysTable): ApiKeyWithHash => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  scopes: row.scopes === null ? null : (JSON.parse(row.scopes) as string[]),
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  secretHash: row.secret_hash,
});

export async function insertApiKey(
  db: Db,
  row: Omit<ApiKeysTable, 'last_used_at' | 'revoked_at'>,
): Promise<ApiKey> {
  await db
    .insertInto('api_keys')
    .values({ ...row, last_used_at: null, revoked_at: null })
    .execute();
  const { secretHash: _, ...key } = toApiKey({ ...row, last_used_at: null, revoked_at: null });
  return key;
}

export async function findApiKey(db: Db, id: string): Promise<ApiKeyWithHash | null> {
  const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toApiKey(row) : null;
}

export async function listApiKeys(db: Db, userId: string): Promise<ApiKey[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((row) => {
    const { secretHash: _, ...key } = toApiKey(row);
    return key;
  });
}

/** Revokes one of this user's keys; false when it is not theirs or already revoked. */
export async function revokeApiKey(
  db: Db,
  userId: string,
  id: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function touchApiKey(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}

/** Revokes every live key of a user (account recovery); returns their ids. */
export async function revokeAllApiKeys(db: Db, userId: string, now: number): Promise<string[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select('id')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  const ids = rows.map((r) => r.id);
  if (ids.length > 0) {
    await db.updateTable('api_keys').set({ revoked_at: now }).where('id', 'in', ids).execute();
  }
  return ids;
}
