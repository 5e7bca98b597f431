import type { Core } from '../../core.js';
import { sha256 } from '../../crypto/random.js';
import { RateLimitedError } from '../../errors.js';
import { sourceOf } from '../login/login-limits.js';

/**
 * A fixed-window budget for an unauthenticated action that costs us work or
 * mail (registering hashes a password; forgot-password writes and mails;
 * passkey sign-in options store a challenge): per source, and per email where
 * there is one. Applied the same whether or not the
 * email has an account, so a 429 tells nothing. A refused call does not count.
 */
export interface Budget {
  key: string;
  limit: number;
}

/**
 * Charges one call to every budget at once; over any of them, all charges
 * are given back (the refused call counts nowhere) and it is a 429 with the
 * longest wait. The window is `rateLimit.loginWindowSeconds` unless given.
 */
export async function chargeAll(
  core: Core,
  budgets: readonly Budget[],
  options: { windowSeconds?: number; message?: string } = {},
): Promise<void> {
  const windowSeconds = options.windowSeconds ?? core.settings.rateLimit.loginWindowSeconds;
  const counts = await Promise.all(budgets.map((b) => core.cache.increment(b.key, windowSeconds)));
  const over = counts.filter((count, i) => count.count > (budgets[i]?.limit ?? 0));
  if (over.length === 0) return;
  // A key is `<action>:<scope>:<hashed or network id>`: its first two parts name the limit.
  budgets.forEach((budget, i) => {
    if ((counts[i]?.count ?? 0) > budget.limit) core.metrics.rateLimited(limitName(budget.key));
  });
  await Promise.all(budgets.map((b) => core.cache.decrement(b.key)));
  throw new RateLimitedError(Math.max(...over.map((c) => c.resetInSeconds)), options.message);
}

const limitName = (key: string): string => key.split(':', 2).join('_');

export const charge = (core: Core, key: string, limit: number): Promise<void> =>
  chargeAll(core, [{ key, limit }]);

export async function limitRegistration(core: Core, ip: string | null): Promise<void> {
  await charge(core, `register:src:${sourceOf(ip)}`, core.settings.rateLimit.registerPerIp);
}

export async function limitPasswordResetRequests(
  core: Core,
  email: string,
  ip: string | null,
): Promise<void> {
  const { forgotPerAccount, loginPerIp } = core.settings.rateLimit;
  await chargeAll(core, [
    { key: `forgot:src:${sourceOf(ip)}`, limit: loginPerIp },
    { key: `forgot:acct:${sha256(email)}`, limit: forgotPerAccount },
  ]);
}

/** Sign-in links: per source and per email, charged alike for known and unknown emails. */
export async function limitMagicLinkRequests(
  core: Core,
  email: string,
  ip: string | null,
): Promise<void> {
  const { magicLinkPerAccount, loginPerIp } = core.settings.rateLimit;
  await chargeAll(core, [
    { key: `magic:src:${sourceOf(ip)}`, limit: loginPerIp },
    { key: `magic:acct:${sha256(email)}`, limit: magicLinkPerAccount },
  ]);
}

/** Resent verification links: per source and per email, charged alike for known and unknown emails. */
export async function limitVerificationResends(
  core: Core,
  email: string,
  ip: string | null,
): Promise<void> {
  const { verifyEmailPerAccount, loginPerIp } = core.settings.rateLimit;
  await chargeAll(core, [
    { key: `verify:src:${sourceOf(ip)}`, limit: loginPerIp },
    { key: `verify:acct:${sha256(email)}`, limit: verifyEmailPerAccount },
  ]);
}
