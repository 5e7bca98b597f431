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
export async function charge(core: Core, key: string, limit: number): Promise<void> {
  const counter = await core.cache.increment(key, core.settings.rateLimit.loginWindowSeconds);
  if (counter.count > limit) {
    await core.cache.decrement(key);
    throw new RateLimitedError(counter.resetInSeconds);
  }
}

export async function limitRegistration(core: Core, ip: string | null): Promise<void> {
  await charge(core, `register:src:${sourceOf(ip)}`, core.settings.rateLimit.registerPerIp);
}

export async function limitPasswordResetRequests(
  core: Core,
  email: string,
  ip: string | null,
): Promise<void> {
  const { forgotPerAccount, loginPerIp } = core.settings.rateLimit;
  await charge(core, `forgot:src:${sourceOf(ip)}`, loginPerIp);
  await charge(core, `forgot:acct:${sha256(email)}`, forgotPerAccount);
}

/** Sign-in links: per source and per email, charged alike for known and unknown emails. */
export async function limitMagicLinkRequests(
  core: Core,
  email: string,
  ip: string | null,
): Promise<void> {
  const { magicLinkPerAccount, loginPerIp } = core.settings.rateLimit;
  await charge(core, `magic:src:${sourceOf(ip)}`, loginPerIp);
  await charge(core, `magic:acct:${sha256(email)}`, magicLinkPerAccount);
}
