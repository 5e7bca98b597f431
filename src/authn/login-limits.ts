import type { Core } from '../core.js';
import { sha256 } from '../crypto/random.js';
import { RateLimitedError } from '../errors.js';

/**
 * Failed logins are counted in fixed windows, in the shared cache:
 * - per account *and* IP (`loginPerAccount`, default 10 / 15 min): guessing one
 *   account from one place stops quickly, while its owner, elsewhere, can still sign in;
 * - per IP (`loginPerIp`, default 100 / 15 min): one source spraying many accounts;
 * - per account from everywhere (10 × `loginPerAccount`): a distributed guess.
 * Every lock ends with its window, so no attacker can lock a user out for good,
 * and a success clears the account's own counter.
 */
const keys = (email: string, ip: string | null) => {
  const account = sha256(email);
  return {
    accountFromIp: `login:acct-ip:${account}:${ip ?? 'unknown'}`,
    ip: `login:ip:${ip ?? 'unknown'}`,
    account: `login:acct:${account}`,
  };
};

export async function assertLoginAllowed(
  core: Core,
  email: string,
  ip: string | null,
): Promise<void> {
  const { loginPerAccount, loginPerIp } = core.settings.rateLimit;
  const k = keys(email, ip);
  const [accountFromIp, fromIp, account] = await Promise.all([
    core.cache.peek(k.accountFromIp),
    core.cache.peek(k.ip),
    core.cache.peek(k.account),
  ]);
  const blocked = [
    accountFromIp && accountFromIp.count >= loginPerAccount ? accountFromIp : null,
    fromIp && fromIp.count >= loginPerIp ? fromIp : null,
    account && account.count >= loginPerAccount * 10 ? account : null,
  ].filter((c) => c !== null);
  if (blocked.length > 0) {
    throw new RateLimitedError(Math.max(...blocked.map((c) => c.resetInSeconds)));
  }
}

export async function recordLoginFailure(
  core: Core,
  email: string,
  ip: string | null,
): Promise<void> {
  const windowSeconds = core.settings.rateLimit.loginWindowSeconds;
  const k = keys(email, ip);
  await Promise.all([
    core.cache.increment(k.accountFromIp, windowSeconds),
    core.cache.increment(k.ip, windowSeconds),
    core.cache.increment(k.account, windowSeconds),
  ]);
}

export async function recordLoginSuccess(
  core: Core,
  email: string,
  ip: string | null,
): Promise<void> {
  await core.cache.delete(keys(email, ip).accountFromIp);
}
