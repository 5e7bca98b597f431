import type { Db } from '../schema.js';

export interface SmsFactor {
  id: string;
  userId: string;
  /** E.164. */
  phone: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export async function findSmsFactor(db: Db, userId: string): Promise<SmsFactor | null> {
  const row = await db
    .selectFrom('sms_factors')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    phone: row.phone,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

/** Fails on the unique user_id when the account already has a number. */
export async function insertSmsFactor(
  db: Db,
  factor: { id: string; userId: string; phone: string; now: number },
): Promise<void> {
  await db
    .insertInto('sms_factors')
    .values({
      id: factor.id,
      user_id: factor.userId,
      phone: factor.phone,
      created_at: factor.now,
      last_used_at: null,
    })
    .execute();
}

export async function touchSmsFactor(db: Db, userId: string, now: number): Promise<void> {
  await db
    .updateTable('sms_factors')
    .set({ last_used_at: now })
    .where('user_id', '=', userId)
    .execute();
}

/** Deletes the user's factor of this id; false when there is none (another user's id included). */
export async function deleteSmsFactor(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('sms_factors')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
