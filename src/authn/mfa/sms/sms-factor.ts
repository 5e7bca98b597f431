import type { Core } from '../../../core.js';
import { consumeSmsCode } from '../../../store/repositories/sms-codes.js';
import { findSmsFactor, touchSmsFactor } from '../../../store/repositories/sms-factors.js';
import type { SecondFactor } from '../second-factor.js';
import { checkSmsCode } from './codes.js';
import { maskPhone } from './phone.js';

/** RFC 8176: confirmation by a text message. */
const SMS_AMR = ['sms'] as const;

/** The account's verified number, while SMS is on: off, no account has this factor. */
const activeFactor = async (core: Core, userId: string) =>
  core.settings.sms.enabled ? findSmsFactor(core.store.db, userId) : null;

/**
 * A code texted to the account's verified number (POST /auth/mfa/sms/send),
 * for one login challenge: it proves nothing outside that challenge. Single
 * use: of parallel right codes, one is taken.
 */
export const smsFactor: SecondFactor = {
  method: 'sms',
  async isEnrolled(core, userId) {
    return (await activeFactor(core, userId)) !== null;
  },
  async list(core, userId) {
    const factor = await activeFactor(core, userId);
    if (!factor) return [];
    const { id, phone, createdAt, lastUsedAt } = factor;
    return [{ id, method: 'sms', name: maskPhone(phone), createdAt, lastUsedAt }];
  },
  async verify(core, user, proof, context) {
    if (context.challengeId === undefined || proof.code === undefined) return null;
    const factor = await activeFactor(core, user.id);
    if (!factor) return null;
    const scope = { userId: user.id, purpose: 'login' as const, challengeId: context.challengeId };
    const code = await checkSmsCode(core, scope, proof.code);
    // A code sent to a number the account has since replaced proves nothing.
    if (!code || code.phone !== factor.phone) return null;
    const now = core.clock.now();
    if (!(await consumeSmsCode(core.store.db, code.id, now))) return null;
    await touchSmsFactor(core.store.db, user.id, now);
    return SMS_AMR;
  },
};
