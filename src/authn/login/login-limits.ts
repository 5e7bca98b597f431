import { isIPv6 } from 'node:net';
import type { Core } from '../../core.js';
import { sha256 } from '../../crypto/random.js';
import { RateLimitedError } from '../../errors.js';

/**
 * Password guesses are counted in fixed windows, in the shared cache:
 * - per account *and* source (`loginPerAccount`, default 10 / 15 min): guessing
 *   one account from one place stops quickly, while its owner, elsewhere, can
 *   still sign in;
 * - per source (`loginPerIp`, default 100 / 15 min): one source spraying accounts;
 * - per account from everywhere (10 × `loginPerAccount`): a distributed guess.
 * A source is an IPv4 address or an IPv6 /64 (one subscriber's whole prefix).
 *
 * Each attempt is charged *before* the password is checked, atomically, so a
 * burst of parallel guesses cannot all slip in before the first failure is
 * counted; a success gives its charge back. Every lock ends with its window;
 * only an attacker who keeps failing from ≥ 10 sources keeps the account-wide
 * cap (NIST SP 800-63B's 100 failures) closed, and only while they keep going.
 *
 * Second-factor guesses (`step: 'second_factor'`) count under the same limits,
 * with a per-account-and-source counter of their own: a right password clears
 * its own counter, and must not clear the count of wrong codes that followed
 * it, or each fresh challenge would hand out a fresh set of guesses. The
 * per-source and account-wide counters are shared by both steps.
 */
export type LoginStep = 'password' | 'second_factor';

export function sourceOf(address: string | null): string {
  if (!address) return 'unknown';
  const ip = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head.split(':').filter(Boolean);
  const right = tail.split(':').filter(Boolean);
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

const keys = (email: string, ip: string | null, step: LoginStep) => {
  const account = sha256(email);
  const source = sourceOf(ip);
  return {
    accountFromSource: `login:${step === 'password' ? 'acct-src' : 'acct-src-2f'}:${account}:${source}`,
    source: `login:src:${source}`,
    account: `login:acct:${account}`,
  };
};

/** Charges one attempt to every counter; throws 429 when any is over its limit (and nothing is checked). */
export async function chargeLoginAttempt(
  core: Core,
  email: string,
  ip: string | null,
  step: LoginStep = 'password',
): Promise<void> {
  const { loginPerAccount, loginPerIp, loginWindowSeconds } = core.settings.rateLimit;
  const k = keys(email, ip, step);
  const [accountFromSource, source, account] = await Promise.all([
    core.cache.increment(k.accountFromSource, loginWindowSeconds),
    core.cache.increment(k.source, loginWindowSeconds),
    core.cache.increment(k.account, loginWindowSeconds),
  ]);
  const limits = [
    { name: 'login_account_source', counter: accountFromSource, limit: loginPerAccount },
    { name: 'login_source', counter: source, limit: loginPerIp },
    { name: 'login_account', counter: account, limit: loginPerAccount * 10 },
  ].filter((l) => l.counter.count > l.limit);
  const over = limits.map((l) => l.counter);
  if (over.length > 0) {
    for (const { name } of limits) core.metrics.rateLimited(name);
    // A refused attempt checked nothing, so it must not count: otherwise one
    // source's refused flood would fill the account-wide cap by itself.
    await takeBack(core, k);
    throw new RateLimitedError(Math.max(...over.map((c) => c.resetInSeconds)));
  }
}

const takeBack = (core: Core, k: ReturnType<typeof keys>) =>
  Promise.all([
    core.cache.decrement(k.accountFromSource),
    core.cache.decrement(k.source),
    core.cache.decrement(k.account),
  ]);

/** The attempt could not be checked (the server was busy, a store failed): it does not count. */
export async function uncountLoginAttempt(
  core: Core,
  email: string,
  ip: string | null,
  step: LoginStep = 'password',
): Promise<void> {
  await takeBack(core, keys(email, ip, step));
}

/** A correct password (or second factor): clear this source's count for the account and give back the other charges. */
export async function refundLoginAttempt(
  core: Core,
  email: string,
  ip: string | null,
  step: LoginStep = 'password',
): Promise<void> {
  const k = keys(email, ip, step);
  await Promise.all([
    core.cache.delete(k.accountFromSource),
    core.cache.decrement(k.source),
    core.cache.decrement(k.account),
  ]);
}
