import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsInput } from '../../src/config/schema.js';
import { freshPostgresDatabase } from '../helpers/fresh-postgres.js';
import { type PrivateRedis, startPrivateRedis } from '../helpers/private-services.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  claimsOf,
  logIn,
  meWithToken,
  type TokenUser,
  tokenUser,
  within,
} from '../helpers/tokens.js';

/**
 * Issue 7, faults C and D. Two instances share a PostgreSQL database and a
 * private Redis, which the tests stop and start. A ban or a logout during the
 * outage commits (the database is the record); the other instance learns of it
 * from the revocations table: on its periodic poll, or as soon as its Redis
 * subscription comes back.
 */
let redis: PrivateRedis;
const databases: Array<{ drop(): Promise<void> }> = [];
const servers: TestServer[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  try {
    for (const server of servers.reverse()) await server.stop();
  } finally {
    for (const database of databases) await database.drop();
    await redis.destroy();
  }
});

/** A and B on a fresh database and the private Redis, polling every `pollIntervalSeconds`. */
async function pair(pollIntervalSeconds: number) {
  const database = await freshPostgresDatabase();
  databases.push(database);
  const settings: SettingsInput = {
    databaseUrl: database.url,
    redisUrl: redis.url,
    revocation: { pollIntervalSeconds },
  };
  const a = await startTestServer({ settings });
  servers.push(a);
  const b = await startTestServer({ settings, shareWith: a });
  servers.push(b);
  const admin = await tokenUser(a, { roles: ['admin'] });
  return { a, b, admin };
}

async function duringOutage<T>(work: () => Promise<T>): Promise<T> {
  await redis.stop();
  try {
    return await work();
  } finally {
    await redis.start();
  }
}

const refusedWithin = (ms: number, server: TestServer, token: string) =>
  within(ms, async () => (await meWithToken(server, token)).status === 401);

describe('a revocation while Redis is down', () => {
  it('commits on A (200/204, audited) and B refuses within its poll interval (1 s)', async () => {
    const { a, b, admin } = await pair(1);
    const banned = await tokenUser(a);
    const leaving = await tokenUser(a);
    expect((await meWithToken(b, banned.accessToken)).status).toBe(200);
    expect((await meWithToken(b, leaving.accessToken)).status).toBe(200);

    await duringOutage(async () => {
      expect((await admin.client.post(`/admin/users/${banned.userId}/ban`, {})).status).toBe(200);
      expect((await leaving.client.post('/auth/logout', {})).status).toBe(204);
      // A applied its own changes once they were committed.
      expect((await meWithToken(a, banned.accessToken)).status).toBe(401);
      expect((await meWithToken(a, leaving.accessToken)).status).toBe(401);
      // One poll interval, plus slack for a loaded machine.
      expect(await refusedWithin(3000, b, banned.accessToken)).toBe(true);
      expect(await refusedWithin(3000, b, leaving.accessToken)).toBe(true);
      expect((await meWithToken(b, admin.accessToken)).status).toBe(200);
    });

    const audit = await admin.client.get<{ events: Array<{ type: string; userId: string }> }>(
      `/admin/audit?userId=${banned.userId}`,
    );
    expect(audit.body.events.map((e) => e.type)).toContain('user_banned');
    const logouts = await admin.client.get<{ events: Array<{ type: string }> }>(
      `/admin/audit?userId=${leaving.userId}`,
    );
    expect(logouts.body.events.map((e) => e.type)).toContain('logout');
  });

  it('with polling effectively off, B catches up as soon as its subscription is back', async () => {
    const { a, b, admin } = await pair(3600);
    const user = await tokenUser(a);
    const other = await tokenUser(a);
    const second = await logIn(a, other.email, other.password);
    expect((await meWithToken(b, user.accessToken)).status).toBe(200);
    expect((await meWithToken(b, second.accessToken)).status).toBe(200);

    await duringOutage(async () => {
      expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
      const sid = String(claimsOf(second.accessToken).sid);
      expect((await other.client.delete(`/auth/sessions/${sid}`)).status).toBe(204);
      // Nothing reaches B while the feed is down and B does not poll.
      expect((await meWithToken(b, user.accessToken)).status).toBe(200);
    });
    // Neither change went over Redis: each failed publish is one structured line, no stack.
    const failed = a.logs.filter((line) => line.includes('revocation publish failed'));
    expect(failed).toHaveLength(2);
    for (const line of failed) expect(JSON.parse(line)).not.toHaveProperty('stack');
    // ioredis reconnects with a back-off of at most 2 s; then B reloads what it missed.
    expect(await refusedWithin(8000, b, user.accessToken)).toBe(true);
    expect(await refusedWithin(1000, b, second.accessToken)).toBe(true);
    expect((await meWithToken(b, other.accessToken)).status).toBe(200);
  });

  it('under light load, Redis stopped mid-load: no 5xx on the paths that need no Redis', async () => {
    const { a, b, admin } = await pair(1);
    const users: TokenUser[] = [];
    for (let i = 0; i < 6; i += 1) users.push(await tokenUser(a));
    const statuses: number[] = [];
    let running = true;
    const load = (async () => {
      for (let round = 0; running; round += 1) {
        const user = users[round % users.length] as TokenUser;
        const [onA, onB] = await Promise.all([
          meWithToken(a, user.accessToken),
          meWithToken(b, user.accessToken),
        ]);
        statuses.push(onA.status, onB.status);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 300));
    await duringOutage(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const user of users.slice(0, 3)) {
        const banned = await admin.client.post(`/admin/users/${user.userId}/ban`, {});
        statuses.push(banned.status);
      }
      for (const user of users.slice(3))
        statuses.push((await user.client.post('/auth/logout', {})).status);
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await load;

    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    for (const user of users) {
      expect(await refusedWithin(3000, b, user.accessToken)).toBe(true);
    }
  });
});
