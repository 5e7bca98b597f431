import type { Db } from '../schema.js';

/**
 * Locks the user's row for a factor removal (PostgreSQL; SQLite runs one
 * writer at a time), so parallel removals of an account's last factors are
 * counted one after another. Null when the user is gone.
 */
export async function lockFactorOwner(
  db: Db,
  userId: string,
  lock: boolean,
): Promise<{ hasPassword: boolean } | null> {
  const query = db.selectFrom('users').select('password_hash').where('id', '=', userId);
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst();
  return row ? { hasPassword: row.password_hash !== null } : null;
}

const count = async (query: {
  executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }>;
}): Promise<number> => Number((await query.executeTakeFirstOrThrow()).n);

/** The user's factors that prove something on their own: passkeys, confirmed apps, phone numbers. */
export async function countSignInFactors(db: Db, userId: string): Promise<number> {
  const counts = await Promise.all([
    count(
      db
        .selectFrom('passkeys')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('user_id', '=', userId),
    ),
    count(
      db
        .selectFrom('totp_factors')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null),
    ),
    count(
      db
        .selectFrom('sms_factors')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('user_id', '=', userId),
    ),
  ]);
  return counts.reduce((a, b) => a + b, 0);
}
