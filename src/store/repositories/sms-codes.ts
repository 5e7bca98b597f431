import type { Db, SmsCodesTable } from '../schema.js';

export type SmsCodePurpose = SmsCodesTable['purpose'];

export interface SmsCode {
  id: string;
  phone: string;
  codeHash: string;
}

/** Which code: a user's setup code, or the code of one login challenge. */
export interface SmsCodeScope {
  userId: string;
  purpose: SmsCodePurpose;
  challengeId: string | null;
}

const scoped = (db: Db, scope: SmsCodeScope) => {
  const query = db
    .selectFrom('sms_codes')
    .where('user_id', '=', scope.userId)
    .where('purpose', '=', scope.purpose);
  return scope.challengeId === null
    ? query.where('challenge_id', 'is', null)
    : query.where('challenge_id', '=', scope.challengeId);
};

export async function insertSmsCode(
  db: Db,
  code: SmsCodeScope & {
    id: string;
    phone: string;
    codeHash: string;
    now: number;
    expiresAt: number;
  },
): Promise<void> {
  await db
    .insertInto('sms_codes')
    .values({
      id: code.id,
      user_id: code.userId,
      purpose: code.purpose,
      phone: code.phone,
      challenge_id: code.challengeId,
      code_hash: code.codeHash,
      attempts: 0,
      created_at: code.now,
      expires_at: code.expiresAt,
      used_at: null,
    })
    .execute();
}

/** A new code makes the older ones of its scope useless: one live code at a time. */
export async function retireSmsCodes(db: Db, scope: SmsCodeScope, now: number): Promise<void> {
  const query = db
    .updateTable('sms_codes')
    .set({ used_at: now })
    .where('user_id', '=', scope.userId)
    .where('purpose', '=', scope.purpose)
    .where('used_at', 'is', null);
  await (scope.challengeId === null
    ? query.where('challenge_id', 'is', null)
    : query.where('challenge_id', '=', scope.challengeId)
  ).execute();
}

/** The newest unused, unexpired code of the scope with attempts left, or null. */
export async function findLiveSmsCode(
  db: Db,
  scope: SmsCodeScope,
  now: number,
  maxAttempts: number,
): Promise<SmsCode | null> {
  const row = await scoped(db, scope)
    .select(['id', 'phone', 'code_hash'])
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('attempts', '<', maxAttempts)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, phone: row.phone, codeHash: row.code_hash } : null;
}

/** Takes one attempt, atomically: of parallel tries at most `maxAttempts` in all get one. */
export async function takeSmsCodeAttempt(
  db: Db,
  id: string,
  maxAttempts: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('sms_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('attempts', '<', maxAttempts)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Uses the code up; of parallel uses exactly one gets true. */
export async function consumeSmsCode(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('sms_codes')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
