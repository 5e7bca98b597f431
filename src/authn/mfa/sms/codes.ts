import { randomInt, randomUUID } from 'node:crypto';
import type { Core } from '../../../core.js';
import { keyedHash } from '../../../crypto/keyed-hash.js';
import { constantTimeEqual } from '../../../crypto/random.js';
import { describeDuration } from '../../../mail/duration.js';
import {
  findLiveSmsCode,
  insertSmsCode,
  retireSmsCodes,
  type SmsCode,
  type SmsCodeScope,
  takeSmsCodeAttempt,
} from '../../../store/repositories/sms-codes.js';
import type { Db } from '../../../store/schema.js';

const DIGITS = 6;

/**
 * The stored form of a code: HMAC-SHA-256 under the server key, over the
 * row's id and the code. A 6-digit code has only 10⁶ values, so a plain hash
 * in a stolen table would fall to a loop in a second; keyed, it says nothing
 * without the server key, and bound to its row it cannot stand in for
 * another. Online, a code allows 5 tries in 5 minutes (5 in 10⁶) and each new
 * one costs a rate-limited send, so the short code is enough.
 */
const hashOf = (core: Core, id: string, code: string): string =>
  keyedHash(core.secretKey, 'sms-code', `${id}:${code}`);

/** Writes a fresh code for the scope (the older ones of the scope stop working) and texts it. */
export async function sendSmsCode(
  core: Core,
  scope: SmsCodeScope,
  phone: string,
  db: Db = core.store.db,
): Promise<void> {
  const code = randomInt(0, 10 ** DIGITS)
    .toString()
    .padStart(DIGITS, '0');
  const id = randomUUID();
  const now = core.clock.now();
  const { codeLifetimeSeconds } = core.settings.sms;
  await retireSmsCodes(db, scope, now);
  await insertSmsCode(db, {
    ...scope,
    id,
    phone,
    codeHash: hashOf(core, id, code),
    now,
    expiresAt: now + codeLifetimeSeconds * 1000,
  });
  await core.sms.send({ to: phone, body: messageOf(core, code, codeLifetimeSeconds) });
}

/**
 * The text: the code, its lifetime and a warning; then the WebOTP line
 * (`@host #code`), which lets a browser fill the code in on this origin only.
 */
const messageOf = (core: Core, code: string, lifetimeSeconds: number): string =>
  `Your sign-in code is ${code}. It expires in ${describeDuration(lifetimeSeconds)}. Never share it: we will not ask for it.\n\n@${new URL(core.issuer).host} #${code}`;

/**
 * Checks a code against the scope's live one, taking one of its attempts
 * first (so parallel guesses cannot exceed them). Returns the code when right,
 * without using it up: the caller consumes it with what it unlocks.
 */
export async function checkSmsCode(
  core: Core,
  scope: SmsCodeScope,
  input: string,
): Promise<SmsCode | null> {
  const { codeMaxAttempts } = core.settings.sms;
  const db = core.store.db;
  const now = core.clock.now();
  const live = await findLiveSmsCode(db, scope, now, codeMaxAttempts);
  if (!live || !(await takeSmsCodeAttempt(db, live.id, codeMaxAttempts, now))) return null;
  const code = input.replace(/[\s-]/g, '');
  if (!new RegExp(`^\\d{${DIGITS}}$`).test(code)) return null;
  return constantTimeEqual(hashOf(core, live.id, code), live.codeHash) ? live : null;
}
