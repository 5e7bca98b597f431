import type { Core } from '../../core.js';
import { randomToken, sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import { describeDuration } from '../../mail/duration.js';
import {
  consumeOneTimeToken,
  insertOneTimeToken,
} from '../../store/repositories/one-time-tokens.js';
import { markEmailVerified, type User } from '../../store/repositories/users.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';

export async function sendEmailVerification(core: Core, user: User): Promise<void> {
  const token = randomToken();
  const now = core.clock.now();
  const lifetimeSeconds = core.settings.emailVerificationLifetimeSeconds;
  await insertOneTimeToken(core.store.db, {
    tokenHash: sha256(token),
    userId: user.id,
    purpose: 'email_verification',
    expiresAt: now + lifetimeSeconds * 1000,
    now,
  });
  await core.mailer.send({
    to: user.email,
    subject: 'Verify your email',
    text: `Confirm your address with this code (valid ${describeDuration(lifetimeSeconds)}):\n\ntoken: ${token}\n`,
  });
}

export async function verifyEmail(core: Core, token: string, meta: RequestMeta): Promise<void> {
  const now = core.clock.now();
  const userId = await consumeOneTimeToken(core.store.db, sha256(token), 'email_verification', now);
  if (!userId)
    throw new AuthError('invalid_link_token', 'The verification link is invalid, used or expired.');
  await markEmailVerified(core.store.db, userId, now);
  await audit(core, { type: 'email_verified', outcome: 'success', userId }, meta);
}
