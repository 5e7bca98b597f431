/** What an admin sees of one user and the two ways to lock a lost device out. */
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import type { Session } from '../store/repositories/sessions.js';
import { listLiveSessions } from '../store/repositories/sessions.js';
import { deleteSecondFactors } from '../store/repositories/sign-in-factors.js';
import { findUserById, type User, withoutSecret } from '../store/repositories/users.js';
import { audit } from './audit.js';
import type { RequestMeta } from './meta.js';
import { recordFactorReset } from './mfa/factor-changes.js';
import { lockOwner, refuseIfNoWayIn } from './mfa/last-way-in.js';
import { type FactorList, listFactors } from './mfa/list-factors.js';
import { SECOND_FACTOR_METHODS } from './mfa/second-factor.js';
import { revokeAllSessions } from './sessions.js';
import { withRevocations } from './tokens/revocations.js';

export interface UserDetail {
  user: User;
  /** Live sessions, newest first (at most `session.maxPerUser`). */
  sessions: Session[];
  factors: FactorList;
}

async function existing(core: Core, userId: string): Promise<User> {
  const user = await findUserById(core.store.db, userId);
  if (!user) throw new AuthError('not_found', 'No such user.');
  return withoutSecret(user);
}

/** The user, their live sessions and their second factors: no hash, token or factor secret. */
export async function userDetail(core: Core, userId: string): Promise<UserDetail> {
  const user = await existing(core, userId);
  const [sessions, factors] = await Promise.all([
    listLiveSessions(core.store.db, userId, core.clock.now()),
    listFactors(core, userId),
  ]);
  return { user, sessions, factors };
}

/**
 * Ends every session of the user, with their refresh tokens; their access
 * tokens die on every instance through the revocation feed once this
 * commits (as for a ban). Returns how many ended.
 */
export async function revokeUserSessions(
  core: Core,
  userId: string,
  by: { actorId: string | null },
  meta: RequestMeta,
): Promise<number> {
  await existing(core, userId);
  return withRevocations(core, async (revoke) => {
    const ids = await revokeAllSessions(core, userId, 'admin_revoked', { revoke });
    const detail = { by: by.actorId, count: ids.length, reason: 'admin_revoked' };
    await audit(
      core,
      { type: 'session_revoked', outcome: 'success', userId, detail },
      meta,
      revoke.db,
    );
    return ids.length;
  });
}

/**
 * Removes every second factor of the user (passkeys, app, recovery codes,
 * phone), so one who lost them signs in with the password alone again;
 * audited and mailed to the owner. An account without a password keeps its
 * factors (409, last-way-in.ts): a reset would leave it no way in. Sessions
 * stay: revoking them is its own action. Returns the methods removed.
 */
export async function resetUserFactors(
  core: Core,
  userId: string,
  by: { actorId: string | null },
  meta: RequestMeta,
): Promise<string[]> {
  const user = await existing(core, userId);
  return core.store.db.transaction().execute(async (trx) => {
    const owner = await lockOwner(core, trx, userId);
    const removed = await deleteSecondFactors(trx, userId);
    await refuseIfNoWayIn(trx, userId, owner);
    const methods = SECOND_FACTOR_METHODS.filter((method) => removed[method] > 0);
    if (methods.length > 0)
      await recordFactorReset(core, user, { methods, by: by.actorId }, meta, trx);
    return methods;
  });
}
