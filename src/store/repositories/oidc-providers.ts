import type { Db } from '../schema.js';

export interface StoredOidcProvider {
  id: string;
  /** JSON of the provider's settings, without its secret. */
  config: string;
  clientSecretSealed: string | null;
  createdAt: number;
}

export async function listStoredProviders(db: Db): Promise<StoredOidcProvider[]> {
  const rows = await db.selectFrom('oidc_providers').selectAll().orderBy('id').execute();
  return rows.map((row) => ({
    id: row.id,
    config: row.config,
    clientSecretSealed: row.client_secret_sealed,
    createdAt: row.created_at,
  }));
}

/** Adds or replaces a provider. */
export async function saveStoredProvider(
  db: Db,
  input: { id: string; config: string; clientSecretSealed: string | null; now: number },
): Promise<void> {
  await db
    .insertInto('oidc_providers')
    .values({
      id: input.id,
      config: input.config,
      client_secret_sealed: input.clientSecretSealed,
      created_at: input.now,
      updated_at: input.now,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        config: input.config,
        client_secret_sealed: input.clientSecretSealed,
        updated_at: input.now,
      }),
    )
    .execute();
}

export async function deleteStoredProvider(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('oidc_providers').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
