import type { Core } from '../../core.js';
import { hashPassword, needsRehash } from '../../crypto/password-hash.js';
import { normalizePassword } from '../../crypto/password-policy.js';
import { randomToken } from '../../crypto/random.js';
import { verifyTypedPassword } from '../../crypto/verify-typed-password.js';
import { AuthError } from '../../errors.js';
import {
  findUserByEmail,
  type User,
  type UserWithSecret,
  upgradePasswordHash,
  withoutSecret,
} from '../../store/repositories/users.js';
import { audit } from '../audit.js';
import {
  chargeLoginAttempt,
  refundLoginAttempt,
  uncountLoginAttempt,
} from '../login/login-limits.js';
import { refuseIfBanned } from '../login/refuse-banned.js';
import { normalizeEmail, type RequestMeta } from '../meta.js';

const dummyHashes = new Map<string, Promise<string>>();

/** A hash with today's parameters, verified when the email is unknown so both paths cost the same. */
function dummyHash(core: Core): Promise<string> {
  const key = JSON.stringify(core.argon2);
  let hash = dummyHashes.get(key);
  if (!hash) {
    hash = hashPassword(randomToken(), core.argon2);
    dummyHashes.set(key, hash);
    // A refused hash (queue full) must not stick: unknown emails would answer differently forever.
    hash.catch(() => dummyHashes.delete(key));
  }
  return hash;
}

/**
 * One password guess for an email, under the login limits: the user when the
 * password is right, null when it is wrong or the email unknown (after the same
 * work: a dummy verification). `password` is as typed (see verifyTypedPassword).
 * Used by login, Basic, step-up and password change.
 */
export async function guessPassword(
  core: Core,
  email: string,
  password: string,
  ip: string | null,
): Promise<UserWithSecret | null> {
  await chargeLoginAttempt(core, email, ip);
  let user: UserWithSecret | null;
  let ok: boolean;
  try {
    user = await findUserByEmail(core.store.db, email);
    ok = await verifyTypedPassword(user?.passwordHash ?? (await dummyHash(core)), password);
  } catch (error) {
    await uncountLoginAttempt(core, email, ip);
    throw error;
  }
  if (!ok || !user?.passwordHash) return null;
  await refundLoginAttempt(core, email, ip);
  return user;
}

const invalidCredentials = () => new AuthError('invalid_credentials', 'Invalid email or password.');

/**
 * Checks an email and password. Unknown email and wrong password fail the same
 * way, after the same work. A bcrypt or weaker argon2 hash is upgraded on success.
 * `via`: a sign-in form or API login, or a machine's HTTP Basic credential (its audit events say which).
 */
export async function verifyPasswordLogin(
  core: Core,
  emailInput: string,
  password: string,
  meta: RequestMeta,
  via: 'password' | 'basic' = 'password',
): Promise<User> {
  const email = normalizeEmail(emailInput);
  const user = await guessPassword(core, email, password, meta.ip);
  if (!user) {
    const known = await findUserByEmail(core.store.db, email);
    await audit(
      core,
      {
        type: 'login',
        outcome: 'failure',
        userId: known?.id ?? null,
        detail: { reason: 'invalid_credentials', method: via },
      },
      meta,
    );
    throw invalidCredentials();
  }
  await refuseIfBanned(core, user, meta, via);
  if (user.passwordHash && needsRehash(user.passwordHash, core.argon2)) {
    await upgradePasswordHash(core.store.db, user.id, {
      expected: user.passwordHash,
      // The normalized form, also when an imported hash matched the typed one: the next sign-in takes the normal path.
      hash: await hashPassword(normalizePassword(password), core.argon2),
      now: core.clock.now(),
    });
  }
  return withoutSecret(user);
}
