import type { Core } from '../../../core.js';
import { sha256 } from '../../../crypto/random.js';
import { AuthError } from '../../../errors.js';
import { findLiveLoginChallenge } from '../../../store/repositories/login-challenges.js';
import { findSmsFactor } from '../../../store/repositories/sms-factors.js';
import { findUserById } from '../../../store/repositories/users.js';
import { audit } from '../../audit.js';
import type { RequestMeta } from '../../meta.js';
import { sendSmsCode } from './codes.js';
import { maskPhone } from './phone.js';
import { chargeSmsSend } from './send-limits.js';

export interface SentCode {
  /** The number, masked: the caller has passed one factor only. */
  to: string;
  expiresInSeconds: number;
}

const invalidChallenge = () =>
  new AuthError('invalid_challenge', 'The challenge is unknown, expired or already used.');

/**
 * Texts a code for a login challenge to its user's verified number (the
 * number is never taken from the request). A new send replaces the
 * challenge's earlier code. Under the send limits: each text costs money.
 */
export async function sendLoginSmsCode(
  core: Core,
  challengeToken: string,
  meta: RequestMeta,
): Promise<SentCode> {
  const db = core.store.db;
  const { challengeMaxAttempts } = core.settings.mfa;
  const challenge = await findLiveLoginChallenge(
    db,
    sha256(challengeToken),
    core.clock.now(),
    challengeMaxAttempts,
  );
  if (!challenge) throw invalidChallenge();
  const user = await findUserById(db, challenge.userId);
  if (!user || user.bannedAt !== null) throw invalidChallenge();
  const factor = await findSmsFactor(db, user.id);
  if (!factor) throw new AuthError('invalid_request', 'This account has no sms factor.');
  await chargeSmsSend(core, { phone: factor.phone, userId: user.id, ip: meta.ip });
  await sendSmsCode(
    core,
    { userId: user.id, purpose: 'login', challengeId: challenge.id },
    factor.phone,
  );
  await audit(
    core,
    { type: 'sms_sent', outcome: 'success', userId: user.id, detail: { purpose: 'login' } },
    meta,
  );
  return { to: maskPhone(factor.phone), expiresInSeconds: core.settings.sms.codeLifetimeSeconds };
}
