import type { Db, OauthClientsTable } from '../schema.js';

export type OauthClientRow = OauthClientsTable;

export async function insertOauthClient(db: Db, row: OauthClientRow): Promise<void> {
  await db.insertInto('oauth_clients').values(row).execute();
}

export const findOauthClient = (db: Db, clientId: string): Promise<OauthClientRow | undefined> =>
  db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();

export const listOauthClients = (db: Db): Promise<OauthClientRow[]> =>
  db.selectFrom('oauth_clients').selectAll().orderBy('created_at').orderBy('client_id').execute();

/** True when a client was deleted. */
export async function deleteOauthClient(db: Db, clientId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('oauth_clients')
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function updateOauthClientSecret(
  db: Db,
  clientId: string,
  secretHash: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('oauth_clients')
    .set({ secret_hash: secretHash, updated_at: now })
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
