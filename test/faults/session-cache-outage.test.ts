import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { freshPostgresDatabase } from '../helpers/fresh-postgres.js';
import { type PrivateRedis, startPrivateRedis } from '../helpers/private-services.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logIn, type TokenUser, tokenUser, within } from '../helpers/tokens.js';

/**
 * The session cache is a fast path the revocation feed keeps honest, so it
 * must not answer while the feed may be missing revocations. Two instances
 * share a PostgreSQL database and a private Redis; B polls the revocations
 * table only hourly, so during the outage nothing but its database reads can
 * tell it of a logout on A.
 */
const SESSION_COOKIE = '__Host-gh_session';

let redis: PrivateRedis;
let database: { url: string; drop(): Promise<void> };
let a: TestServer;
let b: TestServer;
let admin: TokenUser;

beforeAll(async () => {
  redis = await startPrivateRedis();
  database = await freshPostgresDatabase();
  const settings = {
    databaseUrl: database.url,
    redisUrl: redis.url,
    revocation: { pollIntervalSeconds: 3600 },
  };
  a = await startTestServer({ settings });
  b = await startTestServer({ settings, shareWith: a });
  admin = await tokenUser(a, { roles: ['admin'] });
});

afterAll(async () => {
  try {
    await b?.stop();
    await a?.stop();
  } finally {
    await database?.drop();
    await redis?.destroy();
  }
});

const cookieOf = (user: { client: Client }): string =>
  user.client.cookies.get(SESSION_COOKIE) ?? '';

const meOnB = (cookie: string) =>
  new Client(b.url).get('/auth/me', { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } });

const said = (server: TestServer, msg: string) =>
  server.logs.some((line) => line.includes(`"msg":"${msg}"`));

describe('the session cache during a Redis outage', () => {
  it('is not used while the feed is down: a logout on A is refused by B at its next request', async () => {
    const leaving = await tokenUser(a);
    const staying = await tokenUser(a);
    const second = await logIn(a, staying.email, staying.password);
    for (const cookie of [cookieOf(leaving), cookieOf(second)])
      expect((await meOnB(cookie)).status).toBe(200);

    await redis.stop();
    expect(await within(10_000, async () => said(b, 'cache subscriber connection lost'))).toBe(
      true,
    );
    // B still answers sessions (from the database) while Redis is down...
    expect((await meOnB(cookieOf(leaving))).status).toBe(200);
    expect((await meOnB(cookieOf(leaving))).status).toBe(200);
    // ...but what it just read is not reused: the logout, never published, is seen at once.
    expect((await leaving.client.post('/auth/logout')).status).toBe(204);
    expect((await meOnB(cookieOf(leaving))).status).toBe(401);
    expect((await meOnB(cookieOf(second))).status).toBe(200);
    const listed = await staying.client.get<{ sessions: { id: string; current: boolean }[] }>(
      '/auth/sessions',
    );
    const other = listed.body.sessions.find((s) => !s.current);
    expect((await staying.client.delete(`/auth/sessions/${other?.id}`)).status).toBe(204);
    expect((await meOnB(cookieOf(second))).status).toBe(401);
    expect(a.logs.some((line) => line.includes('revocation publish failed'))).toBe(true);

    await redis.start();
    expect(await within(10_000, async () => said(b, 'cache subscriber connection restored'))).toBe(
      true,
    );
    // Back to normal: a session B caches again ends there within 1 s of a ban on A.
    const later = await tokenUser(a);
    for (let i = 0; i < 2; i++) expect((await meOnB(cookieOf(later))).status).toBe(200);
    expect((await admin.client.post(`/admin/users/${later.userId}/ban`, {})).status).toBe(200);
    expect(await within(1000, async () => (await meOnB(cookieOf(later))).status === 401)).toBe(
      true,
    );
    expect((await meOnB(cookieOf(staying))).status).toBe(200);
  });
});
