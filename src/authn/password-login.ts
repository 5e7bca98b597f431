import type { Core } from '../core.js';
import { hashPassword, needsRehash, verifyPassword } from '../crypto/password-hash.js';
import { normalizePassword } from '../crypto/password-policy.js';
import { randomToken } from '../crypto/random.js';
import { AuthError } from '../errors.js';
import {
  findUserByEmail,
  setPasswordHash,
  type User,
  withoutSecret,
} from '../store/repositories/users.js';
import { audit } from './audit.js';
import { assertLoginAllowed, recordLoginFailure, recordLoginSuccess } from './login-limits.js';
import { normalizeEmail, type RequestMeta } from './meta.js';

const dummyHashes = new Map<string, Promise<string>>();

/** A hash with today's parameters, verified when the email is unknown so both paths cost the same. */
function dummyHash(core: Core): Promise<string> {
  const key = JSON.stringify(core.argon2);
  let hash = dummyHashes.get(key);
  if (!hash) {
    hash = hashPassword(randomToken(), core.argon2);
    dummyHashes.set(key, hash);
  }
  return hash;
}

const invalidCredentials = () => new AuthError('invalid_credentials', 'Invalid email or password.');

/**
 * Checks an email and password. Unknown email and wrong password fail the same
 * way, after the same work. A bcrypt or weaker argon2 hash is upgraded on success.
 */
export async function verifyPasswordLogin(
  core: Core,
  emailInput: string,
  password: string,
  meta: RequestMeta,
): Promise<User> {
  const email = normalizeEmail(emailInput);
  await assertLoginAllowed(core, email, meta.ip);
  const candidate = normalizePassword(password);
  const user = await findUserByEmail(core.store.db, email);
  const stored = user?.passwordHash ?? (await dummyHash(core));
  const ok =
    (await verifyPassword(stored, candidate)) && user !== null && user.passwordHash !== null;
  if (!ok || !user) {
    await recordLoginFailure(core, email, meta.ip);
    await audit(
      core,
      {
        type: 'login',
        outcome: 'failure',
        userId: user?.id ?? null,
        detail: { reason: 'invalid_credentials' },
      },
      meta,
    );
    throw invalidCredentials();
  }
  if (user.bannedAt !== null) {
    await audit(
      core,
      { type: 'login', outcome: 'failure', userId: user.id, detail: { reason: 'banned' } },
      meta,
    );
    throw new AuthError('account_banned', 'This account is suspended.');
  }
  await recordLoginSuccess(core, email, meta.ip);
  if (user.passwordHash && needsRehash(user.passwordHash, core.argon2)) {
    await setPasswordHash(
      core.store.db,
      user.id,
      await hashPassword(candidate, core.argon2),
      core.clock.now(),
    );
  }
  return withoutSecret(user);
}
