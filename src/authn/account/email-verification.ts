import type { Core } from '../../core.js';
import { randomToken, sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import { describeDuration } from '../../mail/duration.js';
import type { Principal } from '../../principal.js';
import {
  consumeOneTimeToken,
  replaceOneTimeToken,
} from '../../store/repositories/one-time-tokens.js';
import {
  findUserByEmail,
  findUserById,
  markEmailVerified,
} from '../../store/repositories/users.js';
import type { Db } from '../../store/schema.js';
import { audit } from '../audit.js';
import { normalizeEmail, type RequestMeta } from '../meta.js';
import { pageLink } from '../page-links.js';
import { sendTemplatedMail } from '../send-mail.js';
import { forgetCachedUser } from '../sessions.js';
import { limitVerificationResends } from './request-limits.js';

/**
 * Writes a new verification token in `db` (the registration's transaction, so a
 * user is never committed without one); the newest wins, older live ones are retired.
 */
export async function issueEmailVerificationToken(
  core: Core,
  db: Db,
  userId: string,
): Promise<string> {
  const token = randomToken();
  const now = core.clock.now();
  await replaceOneTimeToken(db, {
    tokenHash: sha256(token),
    userId,
    purpose: 'email_verification',
    expiresAt: now + core.settings.emailVerificationLifetimeSeconds * 1000,
    now,
  });
  return token;
}

/** Mails the link of a token `issueEmailVerificationToken` wrote (delivered in the background). */
export async function mailEmailVerification(
  core: Core,
  email: string,
  token: string,
): Promise<void> {
  await sendTemplatedMail(core, 'verify_email', email, {
    link: pageLink(core, 'verifyEmail', token),
    lifetime: describeDuration(core.settings.emailVerificationLifetimeSeconds),
  });
}

/** Mails a verification link; the newest link wins (the older live ones are retired). */
export async function sendEmailVerification(
  core: Core,
  user: { id: string; email: string },
): Promise<void> {
  const token = await core.store.db
    .transaction()
    .execute((trx) => issueEmailVerificationToken(core, trx, user.id));
  await mailEmailVerification(core, user.email, token);
}

/**
 * A new verification link. A signed-in user (a session or its access token)
 * gets it at their own address, or 409 `already_verified`. Anyone else names
 * an email and always gets the same answer: the lookup and the mail happen in
 * the background, as for forgot-password, and only an existing, unbanned,
 * unverified account is mailed. Both ways are charged per email and per source.
 */
export async function resendEmailVerification(
  core: Core,
  caller: Principal | null,
  emailInput: string | undefined,
  meta: RequestMeta,
): Promise<void> {
  if (caller) {
    await resendToSignedInUser(core, caller, emailInput, meta);
    return;
  }
  if (emailInput === undefined)
    throw new AuthError('invalid_request', 'Send the email of the account, or sign in.');
  const email = normalizeEmail(emailInput);
  await limitVerificationResends(core, email, meta.ip);
  core.background.run('email verification', async () => {
    const user = await findUserByEmail(core.store.db, email);
    if (!user || user.emailVerified || user.bannedAt !== null) return;
    await sendEmailVerification(core, user);
  });
}

async function resendToSignedInUser(
  core: Core,
  caller: Principal,
  emailInput: string | undefined,
  meta: RequestMeta,
): Promise<void> {
  if (caller.via !== 'session' && caller.via !== 'access_token')
    throw new AuthError('forbidden', 'Resending needs a signed-in session, not an API key.');
  const user = await findUserById(core.store.db, caller.userId);
  if (!user) throw new AuthError('unauthenticated', 'Sign in or send a credential.');
  if (emailInput !== undefined && normalizeEmail(emailInput) !== user.email)
    throw new AuthError(
      'invalid_request',
      'Signed in, the link goes to your own address: leave out email.',
    );
  if (user.emailVerified)
    throw new AuthError('already_verified', 'This email address is already verified.');
  await limitVerificationResends(core, user.email, meta.ip);
  await sendEmailVerification(core, user);
}

export async function verifyEmail(core: Core, token: string, meta: RequestMeta): Promise<void> {
  const now = core.clock.now();
  const userId = await consumeOneTimeToken(core.store.db, sha256(token), 'email_verification', now);
  if (!userId)
    throw new AuthError('invalid_link_token', 'The verification link is invalid, used or expired.');
  await markEmailVerified(core.store.db, userId, now);
  forgetCachedUser(core, userId);
  await audit(core, { type: 'email_verified', outcome: 'success', userId }, meta);
}
