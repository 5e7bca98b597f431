import { assertKnownRoles } from '../authz/known-roles.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import {
  findUserById,
  setBanned,
  setRoles,
  type User,
  withoutSecret,
} from '../store/repositories/users.js';
import { audit } from './audit.js';
import type { RequestMeta } from './meta.js';
import { revokeAllSessions } from './sessions.js';

async function existing(core: Core, userId: string): Promise<User> {
  const user = await findUserById(core.store.db, userId);
  if (!user) throw new AuthError('not_found', 'No such user.');
  return withoutSecret(user);
}

/** Bans and revokes every session in one transaction: the user is out on their next request. */
export async function banUser(
  core: Core,
  userId: string,
  by: { actorId: string | null; reason?: string | undefined },
  meta: RequestMeta,
): Promise<User> {
  await existing(core, userId);
  const now = core.clock.now();
  await core.store.db.transaction().execute(async (trx) => {
    await setBanned(trx, userId, { bannedAt: now, reason: by.reason ?? null, now });
    await revokeAllSessions(core, userId, 'banned', { db: trx });
    await audit(
      core,
      { type: 'user_banned', outcome: 'success', userId, detail: { by: by.actorId } },
      meta,
      trx,
    );
  });
  await core.revocations.userBanned(userId);
  return existing(core, userId);
}

export async function unbanUser(
  core: Core,
  userId: string,
  by: { actorId: string | null },
  meta: RequestMeta,
): Promise<User> {
  await existing(core, userId);
  const now = core.clock.now();
  await setBanned(core.store.db, userId, { bannedAt: null, reason: null, now });
  await audit(
    core,
    { type: 'user_unbanned', outcome: 'success', userId, detail: { by: by.actorId } },
    meta,
  );
  return existing(core, userId);
}

export async function replaceRoles(
  core: Core,
  userId: string,
  roles: string[],
  by: { actorId: string | null },
  meta: RequestMeta,
): Promise<User> {
  assertKnownRoles(core.policy, roles);
  await existing(core, userId);
  await core.store.db.transaction().execute(async (trx) => {
    await setRoles(trx, userId, roles);
    await audit(
      core,
      {
        type: 'roles_changed',
        outcome: 'success',
        userId,
        detail: { by: by.actorId, roles: roles.join(',') },
      },
      meta,
      trx,
    );
  });
  // Access tokens carry roles: cut off the old ones so the next refresh brings the new roles.
  await core.revocations.rolesChanged(userId);
  return existing(core, userId);
}
