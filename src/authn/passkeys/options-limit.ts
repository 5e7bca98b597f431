import type { Core } from '../../core.js';
import { charge } from '../account/request-limits.js';
import { sourceOf } from '../login/login-limits.js';

/**
 * Passkey sign-in options are public and each stores a challenge row (kept
 * until the purge): per source they share the password login's budget
 * (`rateLimit.loginPerIp` per `rateLimit.loginWindowSeconds`). A refused call does not count.
 */
export const limitPasskeyLoginOptions = (core: Core, ip: string | null): Promise<void> =>
  charge(core, `passkey-options:src:${sourceOf(ip)}`, core.settings.rateLimit.loginPerIp);
