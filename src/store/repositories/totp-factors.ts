import type { Db, TotpFactorsTable } from '../schema.js';

export interface TotpFactor {
  id: string;
  userId: string;
  secretSealed: string;
  algorithm: TotpFactorsTable['algorithm'];
  digits: number;
  periodSeconds: number;
  createdAt: number;
  confirmedAt: number | null;
  lastUsedAt: number | null;
}

const toFactor = (row: TotpFactorsTable): TotpFactor => ({
  id: row.id,
  userId: row.user_id,
  secretSealed: row.secret_sealed,
  algorithm: row.algorithm,
  digits: row.digits,
  periodSeconds: row.period_seconds,
  createdAt: row.created_at,
  confirmedAt: row.confirmed_at,
  lastUsedAt: row.last_used_at,
});

export async function insertPendingTotp(
  db: Db,
  factor: Omit<TotpFactor, 'confirmedAt' | 'lastUsedAt'> & { expiresAt: number },
): Promise<void> {
  await db
    .insertInto('totp_factors')
    .values({
      id: factor.id,
      user_id: factor.userId,
      secret_sealed: factor.secretSealed,
      algorithm: factor.algorithm,
      digits: factor.digits,
      period_seconds: factor.periodSeconds,
      created_at: factor.createdAt,
      confirmed_at: null,
      pending_expires_at: factor.expiresAt,
      last_used_step: null,
      last_used_at: null,
    })
    .execute();
}

/** Drops the user's unconfirmed setups: only the newest one can be confirmed. */
export async function deletePendingTotp(db: Db, userId: string): Promise<void> {
  await db
    .deleteFrom('totp_factors')
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is', null)
    .execute();
}

export async function findActiveTotp(db: Db, userId: string): Promise<TotpFactor | null> {
  const row = await db
    .selectFrom('totp_factors')
    .selectAll()
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
  return row ? toFactor(row) : null;
}

/** The user's newest unexpired setup awaiting its first code. */
export async function findPendingTotp(
  db: Db,
  userId: string,
  now: number,
): Promise<TotpFactor | null> {
  const row = await db
    .selectFrom('totp_factors')
    .selectAll()
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is', null)
    .where('pending_expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? toFactor(row) : null;
}

/**
 * Accepts time step `step` for the factor, atomically: only when it is later
 * than every step accepted before, so of parallel uses of one code exactly
 * one gets true. With `confirm`, it also activates a pending, unexpired
 * factor (and only such a one).
 */
export async function acceptTotpStep(
  db: Db,
  id: string,
  step: number,
  now: number,
  confirm: boolean,
): Promise<boolean> {
  let update = db
    .updateTable('totp_factors')
    .set({
      last_used_step: step,
      last_used_at: now,
      ...(confirm ? { confirmed_at: now, pending_expires_at: null } : {}),
    })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]));
  update = confirm
    ? update.where('confirmed_at', 'is', null).where('pending_expires_at', '>', now)
    : update.where('confirmed_at', 'is not', null);
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Removes one of the user's TOTP factors (active or pending); true when there was one. */
export async function deleteTotpFactor(
  db: Db,
  userId: string,
  id: string,
): Promise<TotpFactor | null> {
  const row = await db
    .deleteFrom('totp_factors')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toFactor(row) : null;
}
