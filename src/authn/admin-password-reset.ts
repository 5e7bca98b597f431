import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { findUserById, withoutSecret } from '../store/repositories/users.js';
import { mailPasswordReset } from './account/password-lifecycle.js';
import { audit } from './audit.js';
import type { RequestMeta } from './meta.js';

/**
 * Mails the user a password-reset link, the same link and lifetime as
 * forgot-password (an earlier unused link stops working); audited once. A
 * banned user gets none (409), as forgot-password sends them none. Returns
 * the address written to.
 */
export async function sendPasswordReset(
  core: Core,
  userId: string,
  by: { actorId: string | null },
  meta: RequestMeta,
): Promise<string> {
  const found = await findUserById(core.store.db, userId);
  if (!found) throw new AuthError('not_found', 'No such user.');
  if (found.bannedAt !== null)
    throw new AuthError('conflict', 'The user is banned: unban them before sending a reset link.');
  const user = withoutSecret(found);
  await mailPasswordReset(core, user);
  await audit(
    core,
    { type: 'password_reset_sent', outcome: 'success', userId, detail: { by: by.actorId } },
    meta,
  );
  return user.email;
}
