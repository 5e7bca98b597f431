import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGrant, grantsFor, grantsOn } from '../../src/store/repositories/acl-grants.js';
import {
  findApiKey,
  insertApiKey,
  listApiKeys,
  revokeAllApiKeys,
  revokeApiKey,
} from '../../src/store/repositories/api-keys.js';
import { listAuditEvents, recordAuditEvent } from '../../src/store/repositories/audit-events.js';
import {
  consumeOneTimeToken,
  findLiveOneTimeToken,
  insertOneTimeToken,
  invalidateOneTimeTokens,
} from '../../src/store/repositories/one-time-tokens.js';
import {
  findRefreshTokenByHash,
  findSuccessor,
  insertRefreshToken,
  markRotated,
} from '../../src/store/repositories/refresh-tokens.js';
import {
  findLiveSessionById,
  findLiveSessionByTokenHash,
  insertSession,
  listLiveSessions,
  pageLiveSessions,
  revokeOwnSession,
  revokeUserSessions,
} from '../../src/store/repositories/sessions.js';
import {
  deleteSigningKeysRetiredBefore,
  insertSigningKey,
  listSigningKeys,
  retireSigningKeys,
} from '../../src/store/repositories/signing-keys.js';
import {
  findUserByEmail,
  findUserById,
  insertUser,
  listUsers,
  markEmailVerified,
  setBanned,
  setPasswordHash,
  setRoles,
  upgradePasswordHash,
} from '../../src/store/repositories/users.js';
import type { Db } from '../../src/store/schema.js';
import { isUniqueViolation } from '../../src/store/unique-violation.js';
import { backend } from '../helpers/backend.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * One contract for the repositories, run on SQLite and on PostgreSQL (this
 * file is in test/http/, so it runs on both): the same calls give the same
 * answers, orders, NULLs and unique violations on either.
 */
let server: TestServer;
let db: Db;
const T = 1_760_000_000_000;
let seq = 0;
const unique = (name: string) => `${name}-${++seq}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  server = await startTestServer({ settings: { purge: { intervalSeconds: 0 } } });
  db = server.core.store.db;
});
afterAll(async () => server.stop());

const violation = async (write: Promise<unknown>) => {
  const error = await write.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `${backend}: expected a unique violation`).not.toBeNull();
  expect(isUniqueViolation(error)).toBe(true);
};

const newUser = (overrides: { email?: string; now?: number; roles?: string[] } = {}) =>
  insertUser(db, {
    email: overrides.email ?? `${unique('u')}@example.com`,
    passwordHash: null,
    roles: overrides.roles ?? [],
    now: overrides.now ?? T,
  });

const sessionRow = (userId: string, at: number, overrides: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  token_hash: unique('hash'),
  user_id: userId,
  created_at: at,
  last_seen_at: at,
  idle_expires_at: at + 60_000,
  absolute_expires_at: at + 3_600_000,
  ip: null,
  user_agent: null,
  amr: '["pwd"]',
  acr: 'aal1',
  auth_time: at,
  restriction: null,
  ...overrides,
});

describe(`store contract (${backend}): users`, () => {
  it('inserts and finds by id and by email, with NULLs and defaults as written', async () => {
    const user = await newUser({ roles: ['b', 'a', 'a'] });
    expect(user).toMatchObject({
      emailVerified: false,
      roles: ['a', 'b'],
      attributes: {},
      isService: false,
      bannedAt: null,
      createdAt: T,
    });
    const byId = await findUserById(db, user.id);
    expect(byId?.passwordHash).toBeNull();
    expect(await findUserByEmail(db, user.email)).toEqual(byId);
    expect(await findUserById(db, randomUUID())).toBeNull();
    expect(await findUserByEmail(db, 'nobody@example.com')).toBeNull();
    // Exact match: emails are compared as stored.
    expect(await findUserByEmail(db, user.email.toUpperCase())).toBeNull();
  });

  it('refuses a second user with the same email as a unique violation', async () => {
    const email = `${unique('dup')}@example.com`;
    await newUser({ email });
    await violation(newUser({ email }));
  });

  it('bans, unbans, verifies once, replaces roles', async () => {
    const user = await newUser();
    await setBanned(db, user.id, { bannedAt: T + 5, reason: 'spam', now: T + 5 });
    expect((await findUserById(db, user.id))?.bannedAt).toBe(T + 5);
    await setBanned(db, user.id, { bannedAt: null, reason: null, now: T + 6 });
    expect((await findUserById(db, user.id))?.bannedAt).toBeNull();
    await markEmailVerified(db, user.id, T + 7);
    expect((await findUserById(db, user.id))?.emailVerified).toBe(true);
    await setRoles(db, user.id, ['z', 'y', 'z']);
    expect((await findUserById(db, user.id))?.roles).toEqual(['y', 'z']);
    await setRoles(db, user.id, []);
    expect((await findUserById(db, user.id))?.roles).toEqual([]);
  });

  it('upgrades a hash only while it is still the one verified: a password change meanwhile wins', async () => {
    const user = await newUser();
    await setPasswordHash(db, user.id, '$2b$old', T);
    // A reset commits between the sign-in's verification of the old hash and its upgrade.
    await setPasswordHash(db, user.id, '$argon2id$reset', T + 1);
    await upgradePasswordHash(db, user.id, {
      expected: '$2b$old',
      hash: '$argon2id$upgrade',
      now: T + 2,
    });
    expect((await findUserByEmail(db, user.email))?.passwordHash).toBe('$argon2id$reset');
    await upgradePasswordHash(db, user.id, {
      expected: '$argon2id$reset',
      hash: '$argon2id$new',
      now: T + 3,
    });
    expect((await findUserByEmail(db, user.email))?.passwordHash).toBe('$argon2id$new');
  });

  it('lists in (created_at, id) order and pages without gaps or repeats', async () => {
    const created = [];
    for (const offset of [30, 10, 20, 10, 10]) created.push(await newUser({ now: T + offset }));
    const all = [];
    let from: { key: number | string; id: string } | undefined;
    const view = { sort: 'created', order: 'asc', dialect: backend } as const;
    for (;;) {
      const page = await listUsers(db, { limit: 2, from }, view);
      all.push(...page.items);
      if (!page.next) break;
      from = page.next;
    }
    const expected = [...all].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    expect(all.map((u) => u.id)).toEqual(expected.map((u) => u.id));
    expect(new Set(all.map((u) => u.id)).size).toBe(all.length);
    for (const user of created) expect(all.map((u) => u.id)).toContain(user.id);
  });
});

describe(`store contract (${backend}): sessions`, () => {
  it('a session is live strictly before each expiry, and not once revoked', async () => {
    const user = await newUser();
    const row = sessionRow(user.id, T);
    const inserted = await insertSession(db, row);
    expect(inserted).toMatchObject({ id: row.id, amr: ['pwd'], ip: null, userAgent: null });
    expect(await findLiveSessionByTokenHash(db, row.token_hash, T)).toEqual(inserted);
    expect(await findLiveSessionById(db, row.id, row.idle_expires_at - 1)).toEqual(inserted);
    expect(await findLiveSessionById(db, row.id, row.idle_expires_at)).toBeNull();
    await violation(insertSession(db, { ...sessionRow(user.id, T), token_hash: row.token_hash }));

    const stranger = await newUser();
    expect(await revokeOwnSession(db, stranger.id, row.id, { now: T, reason: 'x' })).toBe(false);
    expect(await revokeOwnSession(db, user.id, row.id, { now: T, reason: 'logout' })).toBe(true);
    expect(await revokeOwnSession(db, user.id, row.id, { now: T, reason: 'logout' })).toBe(false);
    expect(await findLiveSessionById(db, row.id, T)).toBeNull();
  });

  it('lists live sessions newest first (ties by id), pages them, revokes all but one', async () => {
    const user = await newUser();
    const rows = [];
    for (const at of [T + 1, T + 3, T + 2, T + 3]) {
      rows.push(sessionRow(user.id, at));
      await insertSession(db, rows.at(-1) as ReturnType<typeof sessionRow>);
    }
    await insertSession(db, sessionRow(user.id, T, { idle_expires_at: T + 1 }));
    const now = T + 10;
    const live = await listLiveSessions(db, user.id, now);
    expect(live).toHaveLength(4);
    const keys = live.map((s) => [s.createdAt, s.id] as const);
    expect(keys).toEqual(
      [...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0)),
    );
    const first = await pageLiveSessions(db, user.id, now, { limit: 3 });
    const second = await pageLiveSessions(db, user.id, now, {
      limit: 3,
      from: first.next ?? undefined,
    });
    expect([...first.items, ...second.items].map((s) => s.id)).toEqual(live.map((s) => s.id));
    expect(second.next).toBeNull();

    const keep = live[0]?.id as string;
    const everyOther = (
      await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()
    )
      .map((r) => r.id)
      .filter((id) => id !== keep);
    // Not-yet-revoked rows are revoked whether live or idle-expired.
    const revoked = await revokeUserSessions(db, user.id, { now, reason: 'x' }, keep);
    expect(revoked.sort()).toEqual(everyOther.sort());
    expect((await listLiveSessions(db, user.id, now)).map((s) => s.id)).toEqual([keep]);
  });
});

describe(`store contract (${backend}): refresh tokens`, () => {
  it('rotate once, find the successor, refuse a duplicate hash, die with their session', async () => {
    const user = await newUser();
    const session = sessionRow(user.id, T);
    await insertSession(db, session);
    const parent = { id: randomUUID(), session_id: session.id, token_hash: unique('rt') };
    await insertRefreshToken(db, { ...parent, parent_id: null, created_at: T });
    expect(await findRefreshTokenByHash(db, parent.token_hash)).toMatchObject({
      ...parent,
      parent_id: null,
      rotated_at: null,
    });
    expect(await findRefreshTokenByHash(db, 'unknown')).toBeUndefined();
    expect(await findSuccessor(db, parent.id)).toBeUndefined();
    expect(await markRotated(db, parent.id, T + 1)).toBe(true);
    expect(await markRotated(db, parent.id, T + 2)).toBe(false);
    const child = { id: randomUUID(), session_id: session.id, token_hash: unique('rt') };
    await insertRefreshToken(db, { ...child, parent_id: parent.id, created_at: T + 1 });
    expect((await findSuccessor(db, parent.id))?.id).toBe(child.id);
    await violation(
      insertRefreshToken(db, {
        id: randomUUID(),
        session_id: session.id,
        token_hash: child.token_hash,
        parent_id: null,
        created_at: T,
      }),
    );
    await db.deleteFrom('sessions').where('id', '=', session.id).execute();
    expect(await findRefreshTokenByHash(db, child.token_hash)).toBeUndefined();
  });
});

describe(`store contract (${backend}): one-time tokens`, () => {
  it('consumed once, never after expiry, invalidated by purpose', async () => {
    const user = await newUser();
    const token = (hash: string, expiresAt = T + 1000) =>
      insertOneTimeToken(db, {
        tokenHash: hash,
        userId: user.id,
        purpose: 'password_reset',
        expiresAt,
        now: T,
      });
    await token('ott-a');
    expect(await findLiveOneTimeToken(db, 'ott-a', 'password_reset', T)).toBe(user.id);
    expect(await findLiveOneTimeToken(db, 'ott-a', 'email_verification', T)).toBeNull();
    expect(await consumeOneTimeToken(db, 'ott-a', 'password_reset', T + 999)).toBe(user.id);
    expect(await consumeOneTimeToken(db, 'ott-a', 'password_reset', T + 999)).toBeNull();
    await token('ott-b');
    expect(await consumeOneTimeToken(db, 'ott-b', 'password_reset', T + 1000)).toBeNull();
    await token('ott-c');
    await invalidateOneTimeTokens(db, user.id, 'password_reset', T);
    expect(await findLiveOneTimeToken(db, 'ott-c', 'password_reset', T)).toBeNull();
    await violation(token('ott-c'));
  });
});

describe(`store contract (${backend}): API keys`, () => {
  it('keeps null scopes apart from empty ones, lists live keys newest first, revokes only its own', async () => {
    const user = await newUser();
    const other = await newUser();
    const key = (name: string, at: number, scopes: string | null) =>
      insertApiKey(db, {
        id: unique('key'),
        user_id: user.id,
        name,
        secret_hash: unique('secret'),
        scopes,
        created_at: at,
        expires_at: null,
      });
    const full = await key('full', T, null);
    const none = await key('none', T + 1, '[]');
    const some = await key('some', T + 2, '["read"]');
    expect(full.scopes).toBeNull();
    expect((await findApiKey(db, none.id))?.scopes).toEqual([]);
    expect((await findApiKey(db, some.id))?.scopes).toEqual(['read']);
    expect((await findApiKey(db, full.id))?.expiresAt).toBeNull();
    expect(await findApiKey(db, 'missing')).toBeNull();
    expect((await listApiKeys(db, user.id)).map((k) => k.name)).toEqual(['some', 'none', 'full']);
    expect(JSON.stringify(await listApiKeys(db, user.id))).not.toContain('secret');

    expect(await revokeApiKey(db, other.id, some.id, T)).toBe(false);
    expect(await revokeApiKey(db, user.id, some.id, T)).toBe(true);
    expect(await revokeApiKey(db, user.id, some.id, T)).toBe(false);
    expect((await revokeAllApiKeys(db, user.id, T)).sort()).toEqual([full.id, none.id].sort());
    expect(await listApiKeys(db, user.id)).toEqual([]);
    await violation(
      insertApiKey(db, {
        id: full.id,
        user_id: user.id,
        name: 'again',
        secret_hash: 'h',
        scopes: null,
        created_at: T,
        expires_at: null,
      }),
    );
  });
});

describe(`store contract (${backend}): audit events`, () => {
  it('newest first by (at, id), filtered by user and type, detail and NULLs round-trip', async () => {
    const userId = unique('audit-user');
    for (const [at, type] of [
      [T + 2, 'login'],
      [T + 1, 'logout'],
      [T + 2, 'logout'],
    ] as const) {
      await recordAuditEvent(
        db,
        {
          type,
          outcome: 'success',
          userId,
          ip: null,
          userAgent: null,
          detail: { n: 1, ok: true, none: null },
        },
        at,
      );
    }
    const page = await listAuditEvents(db, { userId }, { limit: 10 });
    expect(page.next).toBeNull();
    expect(page.items.map((e) => [e.at, e.type])).toEqual([
      [T + 2, 'logout'],
      [T + 2, 'login'],
      [T + 1, 'logout'],
    ]);
    expect(page.items.every((e) => typeof e.id === 'number')).toBe(true);
    expect(page.items[0]).toMatchObject({ ip: null, userAgent: null, detail: { none: null } });
    const logouts = await listAuditEvents(db, { userId, type: 'logout' }, { limit: 1 });
    expect(logouts.items).toHaveLength(1);
    const rest = await listAuditEvents(
      db,
      { userId, type: 'logout' },
      { limit: 1, from: logouts.next ?? undefined },
    );
    expect(rest.items.map((e) => e.at)).toEqual([T + 1]);
    expect((await listAuditEvents(db, { userId: 'nobody' }, { limit: 10 })).items).toEqual([]);
  });
});

describe(`store contract (${backend}): ACL grants and signing keys`, () => {
  it('grants: idempotent adds, grouped per subject', async () => {
    const resourceId = unique('doc');
    const target = { resourceType: 'doc', resourceId };
    await addGrant(db, { ...target, subjectType: 'user', subjectId: 'u1', permissions: ['read'] });
    await addGrant(db, {
      ...target,
      subjectType: 'user',
      subjectId: 'u1',
      permissions: ['read', 'share', 'share'],
    });
    await addGrant(db, { ...target, subjectType: 'group', subjectId: 'g', permissions: ['read'] });
    await addGrant(db, { ...target, subjectType: 'user', subjectId: 'u2', permissions: [] });
    expect(await grantsOn(db, target)).toEqual([
      { subjectType: 'group', subjectId: 'g', permissions: ['read'] },
      { subjectType: 'user', subjectId: 'u1', permissions: ['read', 'share'] },
    ]);
    const many = await grantsFor(db, 'doc', [resourceId, resourceId, 'none']);
    expect([...many.keys()]).toEqual([resourceId]);
  });

  it('signing keys: newest first, the new set left unretired, retired ones dropped by age', async () => {
    const before = (await listSigningKeys(db)).map((k) => k.kid);
    const key = (kid: string, at: number, alg = 'EdDSA') =>
      insertSigningKey(db, {
        kid,
        alg,
        public_jwk: '{}',
        private_jwk_sealed: 'sealed',
        created_at: at,
        retired_at: null,
      });
    const [a, b, c] = [unique('kid-a'), unique('kid-b'), unique('kid-c')];
    await key(a, T + 1);
    await key(b, T + 2);
    await violation(key(a, T + 3));
    await key(c, T + 4, 'RS256');
    const mine = (await listSigningKeys(db)).filter((k) => !before.includes(k.kid));
    expect(mine.map((k) => k.kid)).toEqual([c, b, a]);
    await retireSigningKeys(db, [b, c], T + 10);
    const after = await listSigningKeys(db);
    expect(after.find((k) => k.kid === a)?.retired_at).toBe(T + 10);
    expect(after.find((k) => k.kid === b)?.retired_at).toBeNull();
    expect(after.find((k) => k.kid === c)?.retired_at).toBeNull();
    await deleteSigningKeysRetiredBefore(db, T + 11);
    expect((await listSigningKeys(db)).map((k) => k.kid)).toEqual([c, b]);
  });
});
