import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import type { Dialect } from '../dialect.js';
import { type Page, type PageRequest, toPage } from '../page.js';
import type { Db, UsersTable } from '../schema.js';

export interface User {
  id: string;
  email: string;
  emailVerified: boolean;
  roles: string[];
  attributes: Record<string, unknown>;
  isService: boolean;
  bannedAt: number | null;
  /** What the admin who banned the user wrote, if anything. */
  bannedReason: string | null;
  createdAt: number;
  /** Bumped by every role change, read with the roles: a token carrying it carries roles at least this new. */
  rolesVersion: number;
}

export interface UserWithSecret extends User {
  passwordHash: string | null;
}

const parseAttributes = (json: string): Record<string, unknown> => {
  const value: unknown = JSON.parse(json);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
};

const toUser = (row: Selectable<UsersTable>, roles: string[]): UserWithSecret => ({
  id: row.id,
  email: row.email,
  emailVerified: row.email_verified_at !== null,
  roles,
  attributes: parseAttributes(row.attributes),
  isService: row.is_service === 1,
  bannedAt: row.banned_at,
  bannedReason: row.banned_reason,
  createdAt: row.created_at,
  rolesVersion: row.roles_version,
  passwordHash: row.password_hash,
});

/** Drops the hash so it cannot travel further than the code that verifies it. */
export const withoutSecret = ({ passwordHash: _, ...user }: UserWithSecret): User => user;

export async function rolesOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('user_roles')
    .select('role')
    .where('user_id', '=', userId)
    .orderBy('role')
    .execute();
  return rows.map((r) => r.role);
}

// The row (with roles_version) is read before the roles: see bumpRolesVersion.
async function hydrate(
  db: Db,
  row: Selectable<UsersTable> | undefined,
): Promise<UserWithSecret | null> {
  return row ? toUser(row, await rolesOf(db, row.id)) : null;
}

export const findUserByEmail = async (db: Db, email: string): Promise<UserWithSecret | null> =>
  hydrate(
    db,
    await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),
  );

export const findUserById = async (db: Db, id: string): Promise<UserWithSecret | null> =>
  hydrate(db, await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst());

/**
 * The user's ban state, read inside a transaction; with `lock` (PostgreSQL)
 * the row stays locked until it ends, so a ban committing meanwhile is
 * either seen here or waits for this transaction and then sees its writes.
 */
export async function banStateForUpdate(
  db: Db,
  id: string,
  lock: boolean,
): Promise<{ bannedAt: number | null } | null> {
  const query = db.selectFrom('users').select('banned_at').where('id', '=', id);
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst();
  return row ? { bannedAt: row.banned_at } : null;
}

export interface NewUser {
  email: string;
  passwordHash: string | null;
  roles?: string[];
  attributes?: Record<string, unknown>;
  isService?: boolean;
  emailVerified?: boolean;
  now: number;
}

/** Inserts the user and its roles together; call inside a transaction. */
export async function insertUser(db: Db, input: NewUser): Promise<User> {
  const id = randomUUID();
  await db
    .insertInto('users')
    .values({
      id,
      email: input.email,
      email_verified_at: input.emailVerified ? input.now : null,
      password_hash: input.passwordHash,
      attributes: JSON.stringify(input.attributes ?? {}),
      is_service: input.isService ? 1 : 0,
      banned_at: null,
      banned_reason: null,
      created_at: input.now,
      updated_at: input.now,
    })
    .execute();
  await setRoles(db, id, input.roles ?? []);
  const user = await findUserById(db, id);
  if (!user) throw new Error('inserted user vanished');
  return withoutSecret(user);
}

export async function setRoles(db: Db, userId: string, roles: readonly string[]): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  const unique = [...new Set(roles)];
  if (unique.length > 0) {
    await db
      .insertInto('user_roles')
      .values(unique.map((role) => ({ user_id: userId, role })))
      .execute();
  }
}

/**
 * Call in the transaction that changes the roles; returns the new version.
 * The users row is read before the roles (see hydrate), so a reader that sees
 * this version also sees the roles it stands for.
 */
export async function bumpRolesVersion(db: Db, userId: string): Promise<number> {
  const row = await db
    .updateTable('users')
    .set((eb) => ({ roles_version: eb('roles_version', '+', 1) }))
    .where('id', '=', userId)
    .returning('roles_version')
    .executeTakeFirstOrThrow();
  return row.roles_version;
}

export async function setPasswordHash(
  db: Db,
  userId: string,
  hash: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: hash, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

/**
 * Replaces the hash only if it is still `expected`: a sign-in that upgrades the
 * hash it just verified must not undo a password change that committed meanwhile.
 */
export async function upgradePasswordHash(
  db: Db,
  userId: string,
  change: { expected: string; hash: string; now: number },
): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: change.hash, updated_at: change.now })
    .where('id', '=', userId)
    .where('password_hash', '=', change.expected)
    .execute();
}

export async function setBanned(
  db: Db,
  userId: string,
  ban: { bannedAt: number | null; reason: string | null; now: number },
): Promise<void> {
  await db
    .updateTable('users')
    .set({ banned_at: ban.bannedAt, banned_reason: ban.reason, updated_at: ban.now })
    .where('id', '=', userId)
    .execute();
}

export async function markEmailVerified(db: Db, userId: string, now: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ email_verified_at: now, updated_at: now })
    .where('id', '=', userId)
    .where('email_verified_at', 'is', null)
    .execute();
}

export type UserSort = 'created' | 'email';

export interface UserListView {
  sort: UserSort;
  order: 'asc' | 'desc';
  /** Only addresses starting with this (lower case, as addresses are stored). */
  emailPrefix?: string | undefined;
  /** Only users holding this role. */
  role?: string | undefined;
  /** Only banned users (true) or only those not banned (false). */
  banned?: boolean | undefined;
  dialect: Dialect;
}

/** Where a page of users continues: the last row's sort key (creation time or email) and id. */
export interface UserPosition {
  key: number | string;
  id: string;
}

/**
 * The smallest string above every string that starts with `prefix`, in
 * code point order: its last code point moved up by one (past the
 * surrogates), or null when nothing is above.
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = [...prefix];
  while (points.length > 0) {
    const last = (points.pop() as string).codePointAt(0) as number;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return null;
}

/**
 * One keyset page of users, sorted by creation time (ties by id, index
 * users_created_idx) or by email (unique, so it needs no tie-break), either
 * way round. A prefix search is a range on the email in byte order, which an
 * index serves on both backends (see migration 0011); combined with the
 * creation sort it reads the matching range and sorts only the matches.
 */
export async function listUsers(
  db: Db,
  page: PageRequest<UserPosition>,
  view: UserListView,
): Promise<Page<User, UserPosition>> {
  const email = view.dialect === 'postgres' ? sql<string>`email collate "C"` : sql<string>`email`;
  const ahead = view.order === 'asc' ? '>' : '<';
  let query = db
    .selectFrom('users')
    .selectAll()
    .limit(page.limit + 1);
  query =
    view.sort === 'email'
      ? query.orderBy(email, view.order)
      : query.orderBy('created_at', view.order).orderBy('id', view.order);
  const prefix = view.emailPrefix;
  if (prefix) {
    const below = prefixUpperBound(prefix);
    query = query.where(email, '>=', prefix);
    if (below !== null) query = query.where(email, '<', below);
  }
  if (view.role !== undefined) {
    const role = view.role;
    query = query.where('id', 'in', (eb) =>
      eb.selectFrom('user_roles').select('user_id').where('role', '=', role),
    );
  }
  if (view.banned !== undefined)
    query = query.where('banned_at', view.banned ? 'is not' : 'is', null);
  const from = page.from;
  if (from && view.sort === 'email') {
    query = query.where(email, ahead, String(from.key));
  } else if (from) {
    query = query.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('created_at', 'id'), ahead, tuple(Number(from.key), from.id)),
    );
  }
  const rows = await query.execute();
  const ids = rows.map((r) => r.id);
  const roles = ids.length
    ? await db.selectFrom('user_roles').selectAll().where('user_id', 'in', ids).execute()
    : [];
  const users = rows.map((row) =>
    withoutSecret(
      toUser(
        row,
        roles
          .filter((r) => r.user_id === row.id)
          .map((r) => r.role)
          .sort(),
      ),
    ),
  );
  return toPage(users, page.limit, (user) => ({
    key: view.sort === 'email' ? user.email : user.createdAt,
    id: user.id,
  }));
}

/**
 * Deletes the user row; the foreign keys (ON DELETE CASCADE) take their roles,
 * sessions and refresh tokens, API keys, factors, passkeys, identities,
 * one-time tokens, challenges and provider grant bindings with it. False when
 * there was no such row (deleted meanwhile).
 */
export async function deleteUserRow(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
