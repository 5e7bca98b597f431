import type { Core } from '../../core.js';
import { RateLimitedError } from '../../errors.js';
import { sourceOf } from '../login/login-limits.js';

/**
 * Passkey sign-in options are public and each stores a challenge row (kept
 * until the purge): per source they share the password login's budget
 * (`rateLimit.loginPerIp` per `rateLimit.loginWindowSeconds`). A refused call does not count.
 */
export async function limitPasskeyLoginOptions(core: Core, ip: string | null): Promise<void> {
  const { loginPerIp, loginWindowSeconds } = core.settings.rateLimit;
  const key = `passkey-options:src:${sourceOf(ip)}`;
  const counter = await core.cache.increment(key, loginWindowSeconds);
  if (counter.count > loginPerIp) {
    await core.cache.decrement(key);
    throw new RateLimitedError(counter.resetInSeconds);
  }
}
