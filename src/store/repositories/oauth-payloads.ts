import type { Db, OauthPayloadsTable } from '../schema.js';

export type OauthPayloadRow = OauthPayloadsTable;

/** Inserts or replaces one model's payload; a replaced row keeps its consumption. */
export async function upsertOauthPayload(
  db: Db,
  row: Omit<OauthPayloadRow, 'consumed_at'>,
): Promise<void> {
  await db
    .insertInto('oauth_payloads')
    .values({ ...row, consumed_at: null })
    .onConflict((oc) =>
      oc.columns(['model', 'id']).doUpdateSet({
        payload: row.payload,
        grant_id: row.grant_id,
        user_code: row.user_code,
        uid: row.uid,
        account_id: row.account_id,
        expires_at: row.expires_at,
      }),
    )
    .execute();
}

/** The row unless it has expired. */
export async function findOauthPayload(
  db: Db,
  model: string,
  by: { id: string } | { uid: string } | { user_code: string },
  now: number,
): Promise<OauthPayloadRow | undefined> {
  const [column, value] = Object.entries(by)[0] as ['id' | 'uid' | 'user_code', string];
  return db
    .selectFrom('oauth_payloads')
    .selectAll()
    .where('model', '=', model)
    .where(column, '=', value)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
}

/**
 * Marks the row consumed, once: of two concurrent consumptions exactly one
 * returns true, so a code or refresh token is spent by one request only.
 */
export async function consumeOauthPayload(
  db: Db,
  model: string,
  id: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('oauth_payloads')
    .set({ consumed_at: now })
    .where('model', '=', model)
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function destroyOauthPayload(db: Db, model: string, id: string): Promise<void> {
  await db.deleteFrom('oauth_payloads').where('model', '=', model).where('id', '=', id).execute();
}

export async function destroyOauthPayloadsOfGrant(
  db: Db,
  model: string,
  grantId: string,
): Promise<void> {
  await db
    .deleteFrom('oauth_payloads')
    .where('model', '=', model)
    .where('grant_id', '=', grantId)
    .execute();
}

/** Everything of these grants: the grants themselves, their codes and tokens. */
export async function destroyOauthGrants(db: Db, grantIds: readonly string[]): Promise<void> {
  if (grantIds.length === 0) return;
  await db.deleteFrom('oauth_payloads').where('grant_id', 'in', grantIds).execute();
  await db
    .deleteFrom('oauth_payloads')
    .where('model', '=', 'Grant')
    .where('id', 'in', grantIds)
    .execute();
}

/** Everything the provider keeps of a user: sessions, grants, codes, tokens, interactions. */
export async function destroyOauthPayloadsOfAccount(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('oauth_payloads').where('account_id', '=', userId).execute();
}
