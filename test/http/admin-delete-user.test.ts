import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGrant } from '../../src/store/repositories/acl-grants.js';
import { insertIdentity } from '../../src/store/repositories/identities.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { failWrites } from '../helpers/failing-writes.js';
import { startInstances } from '../helpers/instances.js';
import { auditOf, enrolTotp } from '../helpers/mfa.js';
import { insertTestPasskey } from '../helpers/passkeys.js';
import { expectProblem } from '../helpers/problem.js';
import type { TestServer } from '../helpers/server.js';
import {
  claimsOf,
  meWith,
  meWithToken,
  refreshWith,
  type TokenUser,
  tokenUser,
  within,
} from '../helpers/tokens.js';

let a: TestServer;
let b: TestServer;
let admin: TokenUser;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ a, b, admin, stop } = await startInstances());
});
afterAll(async () => stop());

/** Every table that holds rows of a user, by the column that names them. */
const OWNED: Array<[string, string]> = [
  ['users', 'id'],
  ['user_roles', 'user_id'],
  ['sessions', 'user_id'],
  ['api_keys', 'user_id'],
  ['one_time_tokens', 'user_id'],
  ['totp_factors', 'user_id'],
  ['recovery_codes', 'user_id'],
  ['passkeys', 'user_id'],
  ['identities', 'user_id'],
  ['oauth_grant_sessions', 'user_id'],
  ['oauth_payloads', 'account_id'],
  ['acl_grants', 'subject_id'],
];

async function rowsOf(userId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const db = a.core.store.db;
  for (const [table, column] of OWNED) {
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} = ${userId}`.execute(
      db,
    );
    counts[table] = Number(rows[0]?.n);
  }
  const refresh = await db
    .selectFrom('refresh_tokens')
    .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('sessions.user_id', '=', userId)
    .executeTakeFirstOrThrow();
  counts.refresh_tokens = Number(refresh.n);
  return counts;
}

/** A user with one of everything: session, refresh token, API key, factors, passkey, identity, ACL grant, reset token. */
async function fullUser() {
  const user = await tokenUser(a, { delivery: 'body', roles: ['admin'] });
  const key = await user.client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
    name: 'ci',
  });
  expect(key.status).toBe(201);
  await enrolTotp(a, user.client);
  const codes = await user.client.post('/auth/mfa/recovery-codes');
  expect(codes.status).toBe(201);
  await insertTestPasskey(a, user.userId);
  await insertIdentity(a.core.store.db, {
    id: randomUUID(),
    provider: 'github',
    subject: randomUUID(),
    userId: user.userId,
    email: user.email,
    createdAt: a.clock.now(),
  });
  await addGrant(a.core.store.db, {
    resourceType: 'post',
    resourceId: randomUUID(),
    subjectType: 'user',
    subjectId: user.userId,
    permissions: ['read'],
  });
  expect(
    (await new Client(a.url).post('/auth/password/forgot', { email: user.email })).status,
  ).toBe(202);
  // The reset mail and the registration's verification mail are written in the background: let them land.
  await a.core.background.drain();
  expect((await rowsOf(user.userId)).one_time_tokens).toBeGreaterThan(0);
  return { ...user, apiKey: key.body.apiKey.key };
}

const del = (client: Client, id: string) => client.delete(`/admin/users/${id}`);

describe('DELETE /admin/users/:id', () => {
  it('deletes the user and everything of theirs; every token dies at once on every instance', async () => {
    const user = await fullUser();
    const before = await rowsOf(user.userId);
    for (const table of Object.keys(before)) {
      if (table === 'oauth_grant_sessions' || table === 'oauth_payloads') continue;
      expect(before[table], table).toBeGreaterThan(0);
    }
    expect((await meWithToken(b, user.accessToken)).status).toBe(200);
    expect((await meWith(b, { 'x-api-key': user.apiKey })).status).toBe(200);
    const history = (await auditOf(a, user.userId, 'login')).length;
    expect(history).toBeGreaterThan(0);

    const response = await del(admin.client, user.userId);
    expect(response.status).toBe(204);

    const after = await rowsOf(user.userId);
    for (const table of Object.keys(after)) expect(after[table], table).toBe(0);
    expect(
      await within(1000, async () => (await meWithToken(b, user.accessToken)).status === 401),
    ).toBe(true);
    expect((await meWithToken(a, user.accessToken)).status).toBe(401);
    expect((await meWith(b, { 'x-api-key': user.apiKey })).status).toBe(401);
    expect((await user.client.get('/auth/me', { headers: {} })).status).toBe(401);
    expect((await refreshWith(a, user.refreshToken)).status).toBe(401);
    const login = await new Client(a.url).post('/auth/login', {
      email: user.email,
      password: user.password,
    });
    expectProblem(login, 401, 'invalid_credentials');

    // History stays: the user's earlier events, and the deletion itself, exactly once.
    expect(await auditOf(a, user.userId, 'login')).toHaveLength(history);
    const deleted = await auditOf(a, user.userId, 'user_deleted');
    expect(deleted).toEqual([
      { type: 'user_deleted', outcome: 'success', detail: { by: admin.userId, sessions: 1 } },
    ]);
    // The address is free again.
    const again = await new Client(a.url).post('/auth/register', {
      email: user.email,
      password: user.password,
    });
    expect(again.status).toBe(201);
  });

  it('a second delete and an unknown id are 404; a non-id is 400', async () => {
    const { userId } = await signedInUser(a);
    expect((await del(admin.client, userId)).status).toBe(204);
    expectProblem(await del(admin.client, userId), 404, 'not_found');
    expectProblem(await del(admin.client, randomUUID()), 404, 'not_found');
    expectProblem(await del(admin.client, 'not an id'), 400);
    expect(await auditOf(a, userId, 'user_deleted')).toHaveLength(1);
  });

  it('10 deletes at once: one 204, nine 404, one audit row', async () => {
    const { userId } = await signedInUser(a);
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () => del(admin.client, userId).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    expect(statuses.filter((s) => s === 404)).toHaveLength(9);
    expect(await auditOf(a, userId, 'user_deleted')).toHaveLength(1);
  });

  it('an admin cannot delete themselves (409), and stays', async () => {
    expectProblem(await del(admin.client, admin.userId), 409, 'conflict');
    expect((await admin.client.get('/auth/me')).status).toBe(200);
    expect(await auditOf(a, admin.userId, 'user_deleted')).toHaveLength(0);
  });

  it('a non-admin gets 403 and deletes nothing; a stranger 401', async () => {
    const victim = await signedInUser(a);
    const { client } = await signedInUser(a);
    expectProblem(await del(client, victim.userId), 403, 'forbidden');
    expectProblem(await del(new Client(a.url), victim.userId), 401);
    // Not even themselves: deleting an account is an admin's action.
    expectProblem(await del(victim.client, victim.userId), 403, 'forbidden');
    expect((await rowsOf(victim.userId)).users).toBe(1);
    expect((await victim.client.get('/auth/me')).status).toBe(200);
  });

  it('a delete that fails at its last step leaves everything as it was, on every instance', async () => {
    const user = await fullUser();
    const before = await rowsOf(user.userId);
    const undo = await failWrites(a, {
      name: 'fail_user_deleted_audit',
      table: 'audit_events',
      event: 'INSERT',
      when: "NEW.type = 'user_deleted'",
    });
    try {
      expect((await del(admin.client, user.userId)).status).toBe(500);
    } finally {
      await undo();
    }
    expect(await rowsOf(user.userId)).toEqual(before);
    // A revocation that really happens after: once B applies it, B has had everything published before.
    const other = await tokenUser(a);
    expect((await other.client.post('/auth/logout')).status).toBe(204);
    expect(
      await within(1000, async () => (await meWithToken(b, other.accessToken)).status === 401),
    ).toBe(true);
    expect((await meWithToken(b, user.accessToken)).status).toBe(200);
    expect((await meWith(b, { 'x-api-key': user.apiKey })).status).toBe(200);
    expect((await refreshWith(a, user.refreshToken)).status).toBe(200);
    expect(await auditOf(a, user.userId, 'user_deleted')).toHaveLength(0);
  });

  // Last in the file: it moves the clock, so every login before it is stale afterwards.
  it('an admin signed in 11 minutes ago, or an API key, gets 401 step_up_required and deletes nothing', async () => {
    const victim = await tokenUser(a);
    const stale = await tokenUser(a, { roles: ['admin'] });
    const key = await stale.client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
      name: 'ops',
    });
    expect(key.status, key.text).toBe(201);
    a.clock.advance(11 * 60_000);
    if (b !== a) b.clock.advance(11 * 60_000);
    expectProblem(await del(stale.client, victim.userId), 401, 'step_up_required');
    const sid = String(claimsOf(victim.accessToken).sid);
    expectProblem(
      await stale.client.delete(`/admin/users/${victim.userId}/sessions/${sid}`),
      401,
      'step_up_required',
    );
    const byKey = await new Client(a.url).delete(`/admin/users/${victim.userId}`, {
      headers: { authorization: `Bearer ${key.body.apiKey.key}` },
    });
    expectProblem(byKey, 401, 'step_up_required');
    expect((await rowsOf(victim.userId)).users).toBe(1);
    const sessions = await stale.client.get<{ sessions: unknown[] }>(
      `/admin/users/${victim.userId}/sessions`,
    );
    expect(sessions.body.sessions).toHaveLength(1);
  });
});
