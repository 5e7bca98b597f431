import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';
import type { SignInMethod } from '../sign-in-metrics.js';

/** A first step that proved a banned user: audited as a failed login, answered 403 `account_banned`. */
export async function refuseIfBanned(
  core: Core,
  user: { id: string; bannedAt: number | null },
  meta: RequestMeta,
  method: SignInMethod,
): Promise<void> {
  if (user.bannedAt === null) return;
  await audit(
    core,
    { type: 'login', outcome: 'failure', userId: user.id, detail: { reason: 'banned', method } },
    meta,
  );
  throw new AuthError('account_banned', 'This account is suspended.');
}
