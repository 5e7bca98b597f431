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

/**
 * The user's ways in besides a password: passkeys, confirmed apps, phone
 * numbers, and linked upstream identities (a JIT-created account has only those).
 */
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
    count(
      db
        .selectFrom('identities')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('user_id', '=', userId),
    ),
  ]);
  return counts.reduce((a, b) => a + b, 0);
}

/** How many of each second factor a reset removed: active ones (a pending app setup is not one). */
export interface RemovedFactors {
  webauthn: number;
  totp: number;
  recovery_code: number;
  sms: number;
}

/**
 * Deletes every second factor of the user: passkeys, apps (pending setups
 * too), recovery codes, the phone number and the codes texted to it. Call
 * inside the reset's transaction, between lockFactorOwner and the last-way-in check.
 */
export async function deleteSecondFactors(db: Db, userId: string): Promise<RemovedFactors> {
  const passkeys = await db.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
  const apps = await db
    .deleteFrom('totp_factors')
    .where('user_id', '=', userId)
    .returning('confirmed_at')
    .execute();
  const codes = await db
    .deleteFrom('recovery_codes')
    .where('user_id', '=', userId)
    .returning('used_at')
    .execute();
  const phones = await db
    .deleteFrom('sms_factors')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  await db.deleteFrom('sms_codes').where('user_id', '=', userId).execute();
  return {
    webauthn: Number(passkeys.numDeletedRows),
    totp: apps.filter((app) => app.confirmed_at !== null).length,
    recovery_code: codes.filter((code) => code.used_at === null).length,
    sms: Number(phones.numDeletedRows),
  };
}
