import type { Db } from '../schema.js';

/** Every column that holds a secret box sealed with the server secret. */
export type SealedKind = 'signing-key' | 'totp-factor' | 'oidc-provider';

/** One sealed value: its kind, its row's id (the box's aad names it) and the box. */
export interface SealedSecret {
  kind: SealedKind;
  id: string;
  box: string;
}

/** Some (`limit`) or all sealed values of one kind, in id order. */
export async function listSealedSecrets(
  db: Db,
  kind: SealedKind,
  limit?: number,
): Promise<SealedSecret[]> {
  const rows = await selectSealed(db, kind, limit);
  return rows.flatMap((row) => (row.box === null ? [] : [{ kind, id: row.id, box: row.box }]));
}

function selectSealed(db: Db, kind: SealedKind, limit: number | undefined) {
  const cap = limit ?? Number.MAX_SAFE_INTEGER;
  switch (kind) {
    case 'signing-key':
      return db
        .selectFrom('signing_keys')
        .select(['kid as id', 'private_jwk_sealed as box'])
        .orderBy('kid')
        .limit(cap)
        .execute();
    case 'totp-factor':
      return db
        .selectFrom('totp_factors')
        .select(['id', 'secret_sealed as box'])
        .orderBy('id')
        .limit(cap)
        .execute();
    case 'oidc-provider':
      return db
        .selectFrom('oidc_providers')
        .select(['id', 'client_secret_sealed as box'])
        .where('client_secret_sealed', 'is not', null)
        .orderBy('id')
        .limit(cap)
        .execute();
  }
}

/** Replaces one sealed value; false when the row is gone. */
export async function updateSealedSecret(db: Db, secret: SealedSecret): Promise<boolean> {
  const result = await updateOne(db, secret);
  return result.numUpdatedRows > 0n;
}

function updateOne(db: Db, { kind, id, box }: SealedSecret) {
  switch (kind) {
    case 'signing-key':
      return db
        .updateTable('signing_keys')
        .set({ private_jwk_sealed: box })
        .where('kid', '=', id)
        .executeTakeFirst();
    case 'totp-factor':
      return db
        .updateTable('totp_factors')
        .set({ secret_sealed: box })
        .where('id', '=', id)
        .executeTakeFirst();
    case 'oidc-provider':
      return db
        .updateTable('oidc_providers')
        .set({ client_secret_sealed: box })
        .where('id', '=', id)
        .executeTakeFirst();
  }
}
