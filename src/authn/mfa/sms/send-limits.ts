import type { Core } from '../../../core.js';
import { sha256 } from '../../../crypto/random.js';
import { chargeAll } from '../../account/request-limits.js';
import { sourceOf } from '../../login/login-limits.js';

/**
 * Every text costs money, and SMS pumping (toll fraud) is someone making us
 * text premium numbers they are paid for. So sends are counted per number
 * (whoever asks), per account (one account trying many numbers) and per
 * source, in the shared cache, before anything is sent. Over any of them: 429
 * with Retry-After, and the refused send counts nowhere.
 */
export async function chargeSmsSend(
  core: Core,
  send: { phone: string; userId: string; ip: string | null },
): Promise<void> {
  const { sendPerNumber, sendPerAccount, sendPerIp, sendWindowSeconds } = core.settings.sms;
  await chargeAll(
    core,
    [
      { key: `sms:num:${sha256(send.phone)}`, limit: sendPerNumber },
      { key: `sms:acct:${send.userId}`, limit: sendPerAccount },
      { key: `sms:src:${sourceOf(send.ip)}`, limit: sendPerIp },
    ],
    { windowSeconds: sendWindowSeconds, message: 'Too many text messages; try again later.' },
  );
}
