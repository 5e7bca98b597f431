import { assertKnownRoles } from '../authz/known-roles.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import type { Page, PageRequest } from '../store/page.js';
import {
  type AuditFilter,
  listAuditEvents as pageAuditEvents,
  type StoredAuditEvent,
} from '../store/repositories/audit-events.js';
import {
  bumpRolesVersion,
  findUserById,
  listUsers as pageUsers,
  setBanned,
  setRoles,
  type User,
  type UserPosition,
  type UserSort,
  withoutSecret,
} from '../store/repositories/users.js';
import type { Db } from '../store/schema.js';
import { audit } from './audit.js';
import type { RequestMeta } from './meta.js';
import { revokeAllSessions } from './sessions.js';
import { withRevocations } from './tokens/revocations.js';

/** Read with `db`: a change reads its answer inside its own transaction, so an outage right after the commit cannot turn a done change into a 503. */
async function existing(db: Db, userId: string): Promise<User> {
  const user = await findUserById(db, userId);
  if (!user) throw new AuthError('not_found', 'No such user.');
  return withoutSecret(user);
}

/**
 * Bans, revokes every session and cuts off every access token in one
 * transaction: the user is out on their next request, on every instance.
 */
export async function banUser(
  core: Core,
  userId: string,
  by: { actorId: string | null; reason?: string | undefined },
  meta: RequestMeta,
): Promise<User> {
  await existing(core.store.db, userId);
  // An admin who bans themselves is locked out at once, with no one left to lift it perhaps.
  if (by.actorId === userId) throw new AuthError('conflict', 'You cannot ban yourself.');
  const now = core.clock.now();
  return withRevocations(core, async (revoke) => {
    await setBanned(revoke.db, userId, { bannedAt: now, reason: by.reason ?? null, now });
    await revokeAllSessions(core, userId, 'banned', { revoke });
    await revoke.userCutOff(userId);
    await audit(
      core,
      {
        type: 'user_banned',
        outcome: 'success',
        userId,
        detail: { by: by.actorId, reason: by.reason ?? null },
      },
      meta,
      revoke.db,
    );
    return existing(revoke.db, userId);
  });
}

export async function unbanUser(
  core: Core,
  userId: string,
  by: { actorId: string | null },
  meta: RequestMeta,
): Promise<User> {
  await existing(core.store.db, userId);
  const now = core.clock.now();
  return core.store.db.transaction().execute(async (trx) => {
    await setBanned(trx, userId, { bannedAt: null, reason: null, now });
    await audit(
      core,
      { type: 'user_unbanned', outcome: 'success', userId, detail: { by: by.actorId } },
      meta,
      trx,
    );
    return existing(trx, userId);
  });
}

export async function replaceRoles(
  core: Core,
  userId: string,
  roles: string[],
  by: { actorId: string | null },
  meta: RequestMeta,
): Promise<User> {
  assertKnownRoles(core.policy, roles);
  await existing(core.store.db, userId);
  // Access tokens carry roles: the old ones are cut off, so the next refresh brings the new roles.
  return withRevocations(core, async (revoke) => {
    await setRoles(revoke.db, userId, roles);
    await revoke.rolesChanged(userId, await bumpRolesVersion(revoke.db, userId));
    await audit(
      core,
      {
        type: 'roles_changed',
        outcome: 'success',
        userId,
        detail: { by: by.actorId, roles: roles.join(',') },
      },
      meta,
      revoke.db,
    );
    return existing(revoke.db, userId);
  });
}

export interface UserListQuery {
  sort: UserSort;
  order: 'asc' | 'desc';
  /** Addresses starting with this, in any case. */
  emailPrefix?: string | undefined;
  /** Only holders of this role. */
  role?: string | undefined;
  /** Only banned users (true) or only those not banned (false). */
  banned?: boolean | undefined;
}

/** A keyset page of users (a deep page costs what the first does), searched by email prefix, role and ban. */
export const listUsers = (
  core: Core,
  query: UserListQuery,
  page: PageRequest<UserPosition>,
): Promise<Page<User, UserPosition>> =>
  pageUsers(core.store.db, page, {
    sort: query.sort,
    order: query.order,
    // Addresses are stored lower case (normalizeEmail): so the search ignores case.
    emailPrefix: query.emailPrefix?.toLowerCase(),
    role: query.role,
    banned: query.banned,
    dialect: core.store.dialect,
  });

/** A page of audit events, newest first, filtered by user, type, outcome and time. */
export const listAuditEvents = (
  core: Core,
  filter: AuditFilter,
  page: PageRequest,
): Promise<Page<StoredAuditEvent>> => pageAuditEvents(core.store.db, filter, page);

/**
 * Every audit event the filter matches, newest first, a keyset page at a
 * time: an export of any size holds one page in memory.
 */
export async function* auditEventPages(
  core: Core,
  filter: AuditFilter,
  pageSize = 500,
): AsyncGenerator<StoredAuditEvent[]> {
  let from: PageRequest['from'];
  do {
    const page = await pageAuditEvents(core.store.db, filter, { limit: pageSize, from });
    yield page.items;
    from = page.next ?? undefined;
  } while (from);
}
