import type { Core } from '../../core.js';
import { hashPassword } from '../../crypto/password-hash.js';
import { checkPassword } from '../../crypto/password-policy.js';
import { randomToken, sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import { describeDuration } from '../../mail/duration.js';
import { revokeAllApiKeys } from '../../store/repositories/api-keys.js';
import { retireLoginChallenges } from '../../store/repositories/login-challenges.js';
import {
  consumeOneTimeToken,
  findLiveOneTimeToken,
  replaceOneTimeToken,
} from '../../store/repositories/one-time-tokens.js';
import {
  findUserByEmail,
  findUserById,
  setPasswordHash,
  type User,
} from '../../store/repositories/users.js';
import { audit } from '../audit.js';
import { guessPassword } from '../credentials/password.js';
import { normalizeEmail, type RequestMeta } from '../meta.js';
import { pageLink } from '../page-links.js';
import { requestSource, sendTemplatedMail } from '../send-mail.js';
import { revokeAllSessions } from '../sessions.js';
import { withRevocations } from '../tokens/revocations.js';

/** Needs the current password; ends every other session of the user. */
export async function changePassword(
  core: Core,
  input: {
    userId: string;
    sessionId?: string | undefined;
    currentPassword: string;
    newPassword: string;
  },
  meta: RequestMeta,
): Promise<void> {
  const account = await findUserById(core.store.db, input.userId);
  // Under the login limits: a stolen token must not become an unlimited password oracle.
  const user = account
    ? await guessPassword(core, account.email, input.currentPassword, meta.ip)
    : null;
  if (!user) {
    await audit(core, { type: 'password_change', outcome: 'failure', userId: input.userId }, meta);
    throw new AuthError('invalid_credentials', 'The current password is wrong.');
  }
  const password = checkPassword(input.newPassword, core.passwordPolicy, { email: user.email });
  const hash = await hashPassword(password, core.argon2);
  await withRevocations(core, async (revoke) => {
    await setPasswordHash(revoke.db, user.id, hash, core.clock.now());
    // A challenge won with the old password (awaiting its second factor) dies with it.
    await retireLoginChallenges(revoke.db, user.id, core.clock.now());
    await revokeAllSessions(core, user.id, 'password_change', {
      keepSessionId: input.sessionId,
      revoke,
    });
    await audit(
      core,
      { type: 'password_change', outcome: 'success', userId: user.id },
      meta,
      revoke.db,
    );
  });
  await tellOwner(core, user.email, meta);
}

/** After the change committed: the owner learns of a change they did not make. */
const tellOwner = (core: Core, email: string, meta: RequestMeta): Promise<void> =>
  sendTemplatedMail(core, 'password_changed', email, {
    ip: requestSource(meta),
    accountLink: pageLink(core, 'account'),
  });

/**
 * Always succeeds from the caller's view; mails a reset token only to an
 * existing account. Nothing that depends on the email runs before the answer,
 * not even the lookup: every request queues the same background job, so a
 * known and an unknown email take the same path until the response is out.
 */
export async function forgotPassword(core: Core, emailInput: string): Promise<void> {
  const email = normalizeEmail(emailInput);
  const now = core.clock.now();
  core.background.run('password reset', () => mailResetToken(core, email, now));
}

async function mailResetToken(core: Core, email: string, now: number): Promise<void> {
  const user = await findUserByEmail(core.store.db, email);
  if (!user || user.bannedAt !== null) return;
  await issueResetToken(core, user, randomToken(), now);
}

/** Mails `user` a reset link as forgot-password does (an operator's `gatehouse user reset-password`). */
export const mailPasswordReset = (core: Core, user: User): Promise<void> =>
  issueResetToken(core, user, randomToken(), core.clock.now());

async function issueResetToken(core: Core, user: User, token: string, now: number): Promise<void> {
  const lifetimeSeconds = core.settings.resetTokenLifetimeSeconds;
  await core.store.db.transaction().execute((trx) =>
    replaceOneTimeToken(trx, {
      tokenHash: sha256(token),
      userId: user.id,
      purpose: 'password_reset',
      expiresAt: now + lifetimeSeconds * 1000,
      now,
    }),
  );
  await sendTemplatedMail(core, 'reset_password', user.email, {
    link: pageLink(core, 'resetPassword', token),
    lifetime: describeDuration(lifetimeSeconds),
  });
}

/** Single use; sets the new password and ends every session of the user. */
export async function resetPassword(
  core: Core,
  input: { token: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  const now = core.clock.now();
  const tokenHash = sha256(input.token);
  const invalid = () =>
    new AuthError('invalid_link_token', 'The reset link is invalid, used or expired.');
  const holder = await findLiveOneTimeToken(core.store.db, tokenHash, 'password_reset', now);
  const user = holder ? await findUserById(core.store.db, holder) : null;
  if (!user) throw invalid();
  // Checked and hashed before the transaction: a weak password leaves the token
  // usable, and no connection is held while argon2 works.
  const password = checkPassword(input.newPassword, core.passwordPolicy, { email: user.email });
  const hash = await hashPassword(password, core.argon2);
  // A reset is account recovery: assume whoever else was in holds credentials, and end them all.
  await withRevocations(core, async (revoke) => {
    if ((await consumeOneTimeToken(revoke.db, tokenHash, 'password_reset', now)) !== user.id)
      throw invalid();
    await setPasswordHash(revoke.db, user.id, hash, now);
    await retireLoginChallenges(revoke.db, user.id, now);
    await revokeAllSessions(core, user.id, 'password_reset', { revoke });
    const keys = await revokeAllApiKeys(revoke.db, user.id, now);
    await revoke.apiKeys(keys);
    await audit(
      core,
      {
        type: 'password_reset',
        outcome: 'success',
        userId: user.id,
        detail: { apiKeysRevoked: keys.length },
      },
      meta,
      revoke.db,
    );
  });
  await tellOwner(core, user.email, meta);
}
