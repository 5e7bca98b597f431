import type { Core } from '../../core.js';
import { randomToken, sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import { describeDuration } from '../../mail/duration.js';
import {
  consumeOneTimeToken,
  replaceOneTimeToken,
} from '../../store/repositories/one-time-tokens.js';
import {
  findUserByEmail,
  findUserById,
  markEmailVerified,
  type User,
  withoutSecret,
} from '../../store/repositories/users.js';
import { audit } from '../audit.js';
import { refuseIfBanned } from '../login/refuse-banned.js';
import { normalizeEmail, type RequestMeta } from '../meta.js';
import { pageLink } from '../page-links.js';
import { sendTemplatedMail } from '../send-mail.js';
import { forgetCachedUser } from '../sessions.js';

/**
 * Always succeeds from the caller's view; mails a sign-in link only to an
 * existing, unbanned account. As with forgot-password, nothing that depends
 * on the email runs before the answer: every request queues the same job.
 */
export function requestMagicLink(core: Core, emailInput: string, meta: RequestMeta): void {
  const email = normalizeEmail(emailInput);
  const now = core.clock.now();
  core.background.run('magic link', () => mailMagicLink(core, email, now, meta));
}

async function mailMagicLink(
  core: Core,
  email: string,
  now: number,
  meta: RequestMeta,
): Promise<void> {
  const user = await findUserByEmail(core.store.db, email);
  if (!user || user.bannedAt !== null) return;
  const token = randomToken();
  const lifetimeSeconds = core.settings.magicLinkLifetimeSeconds;
  await core.store.db.transaction().execute(async (trx) => {
    await replaceOneTimeToken(trx, {
      tokenHash: sha256(token),
      userId: user.id,
      purpose: 'magic_link',
      expiresAt: now + lifetimeSeconds * 1000,
      now,
    });
    await audit(core, { type: 'magic_link_sent', outcome: 'success', userId: user.id }, meta, trx);
  });
  await sendTemplatedMail(core, 'magic_link', user.email, {
    link: pageLink(core, 'magicLink', token),
    lifetime: describeDuration(lifetimeSeconds),
  });
}

const invalidLink = () =>
  new AuthError('invalid_link_token', 'The sign-in link is invalid, used or expired.');

/**
 * Redeems a sign-in link: the first factor `email` (RFC 8176 has no closer
 * value for "proved control of the mailbox"). Single use: of parallel
 * redemptions one gets the user. It also proves the address, so an
 * unverified email becomes verified.
 */
export async function redeemMagicLink(core: Core, token: string, meta: RequestMeta): Promise<User> {
  const now = core.clock.now();
  const db = core.store.db;
  const userId = await consumeOneTimeToken(db, sha256(token), 'magic_link', now);
  const user = userId ? await findUserById(db, userId) : null;
  if (!user) throw invalidLink();
  await refuseIfBanned(core, user, meta, 'magic_link');
  if (!user.emailVerified) {
    await markEmailVerified(db, user.id, now);
    forgetCachedUser(core, user.id);
    await audit(core, { type: 'email_verified', outcome: 'success', userId: user.id }, meta);
  }
  return { ...withoutSecret(user), emailVerified: true };
}
