import { randomUUID } from 'node:crypto';
import type { Core } from '../../../core.js';
import { AuthError } from '../../../errors.js';
import { consumeSmsCode } from '../../../store/repositories/sms-codes.js';
import {
  deleteSmsFactor,
  findSmsFactor,
  insertSmsFactor,
} from '../../../store/repositories/sms-factors.js';
import { findUserById, type UserWithSecret } from '../../../store/repositories/users.js';
import { isUniqueViolation } from '../../../store/unique-violation.js';
import { audit } from '../../audit.js';
import type { RequestMeta } from '../../meta.js';
import { recordFactorChange } from '../factor-changes.js';
import { lockOwner, refuseIfNoWayIn } from '../last-way-in.js';
import type { FactorSummary } from '../second-factor.js';
import { checkSmsCode, sendSmsCode } from './codes.js';
import { maskPhone } from './phone.js';
import { chargeSmsSend } from './send-limits.js';

const SETUP = { purpose: 'setup', challengeId: null } as const;

const accountOf = async (core: Core, userId: string): Promise<UserWithSecret> => {
  const user = await findUserById(core.store.db, userId);
  if (!user) throw new AuthError('unauthenticated', 'The account no longer exists.');
  return user;
};

const alreadyHasOne = () =>
  new AuthError('conflict', 'This account already has a phone number; remove it first.');

/**
 * Texts a code to a number the account wants as a factor. The number becomes
 * one only when the code comes back (confirmSmsSetup): until then it is
 * written on the code's row alone. A new setup replaces a pending one.
 */
export async function startSmsSetup(
  core: Core,
  userId: string,
  phone: string,
  meta: RequestMeta,
): Promise<{ to: string; expiresInSeconds: number }> {
  if (await findSmsFactor(core.store.db, userId)) throw alreadyHasOne();
  await chargeSmsSend(core, { phone, userId, ip: meta.ip });
  await sendSmsCode(core, { userId, ...SETUP }, phone);
  await audit(
    core,
    { type: 'sms_sent', outcome: 'success', userId, detail: { purpose: 'setup' } },
    meta,
  );
  return { to: maskPhone(phone), expiresInSeconds: core.settings.sms.codeLifetimeSeconds };
}

/** The code texted by startSmsSetup makes its number the account's SMS factor; of parallel confirms, one does. */
export async function confirmSmsSetup(
  core: Core,
  userId: string,
  input: string,
  meta: RequestMeta,
): Promise<FactorSummary> {
  const user = await accountOf(core, userId);
  if (await findSmsFactor(core.store.db, userId)) throw alreadyHasOne();
  const code = await checkSmsCode(core, { userId, ...SETUP }, input);
  const wrong = () =>
    new AuthError('invalid_code', 'The code is not right or has expired; ask for a new one.');
  if (!code) throw wrong();
  const id = randomUUID();
  const now = core.clock.now();
  try {
    // The factor, its used code and its audit row commit together, or none does.
    await core.store.db.transaction().execute(async (trx) => {
      if (!(await consumeSmsCode(trx, code.id, now))) throw wrong();
      await insertSmsFactor(trx, { id, userId, phone: code.phone, now });
      const change = { type: 'factor_added', method: 'sms', factorId: id } as const;
      await recordFactorChange(core, user, change, meta, trx);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyHasOne();
    throw error;
  }
  return { id, method: 'sms', name: maskPhone(code.phone), createdAt: now, lastUsedAt: null };
}

/**
 * Removes the account's number. An account without a password keeps at
 * least one factor (last-way-in.ts): removing its last one is refused (409).
 */
export async function removeSmsFactor(
  core: Core,
  userId: string,
  factorId: string,
  meta: RequestMeta,
): Promise<void> {
  const user = await accountOf(core, userId);
  const factor = await findSmsFactor(core.store.db, userId);
  if (!factor || factor.id !== factorId)
    throw new AuthError('not_found', 'This account has no such phone number.');
  await core.store.db.transaction().execute(async (trx) => {
    const owner = await lockOwner(core, trx, userId);
    if (!(await deleteSmsFactor(trx, userId, factorId)))
      throw new AuthError('not_found', 'This account has no such phone number.');
    await refuseIfNoWayIn(trx, userId, owner);
    const change = { type: 'factor_removed', method: 'sms', factorId } as const;
    await recordFactorChange(core, user, change, meta, trx);
  });
}
