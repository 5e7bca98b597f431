import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { type CliServer, startCliServer } from '../helpers/cli-server.js';
import { Client } from '../helpers/client.js';
import { newMetricsToken, sample, scrape } from '../helpers/metrics.js';
import { type PrivateRedis, startPrivateRedis } from '../helpers/private-services.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, type TokenUser, tokenUser, within } from '../helpers/tokens.js';

/**
 * Two instances on one SQLite data dir and a private Redis: A runs in this
 * process, B is a real `gatehouse serve` process (its stderr is checked).
 * While Redis is down, what needs it (login's rate-limit counters) answers 503
 * before writing anything; when it is back, logins work again and B's
 * subscription hears A's revocations again.
 */
let redis: PrivateRedis;
let a: TestServer;
let b: CliServer;
let admin: TokenUser;
const metricsToken = newMetricsToken();

beforeAll(async () => {
  redis = await startPrivateRedis();
  // B, a CLI process, uses the default key prefix: so does A here.
  a = await startTestServer({ settings: { redisUrl: redis.url }, cachePrefix: 'gatehouse:' });
  b = await startCliServer({ REDIS_URL: redis.url, GATEHOUSE_METRICS_TOKEN: metricsToken }, [
    '--data-dir',
    a.dataDir,
  ]);
  admin = await tokenUser(a, { roles: ['admin'] });
});

afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await redis?.destroy();
});

const meOnB = (accessToken: string) => new Client(b.url).get('/auth/me', bearer(accessToken));

const login = (url: string, email: string) =>
  new Client(url).post('/auth/login', { email, password: strongPassword });

const count = async (table: 'sessions' | 'audit_events') =>
  Number(
    (
      await a.core.store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Connections subscribed to at least one channel, as Redis sees them. */
const subscribedClients = () =>
  spawnSync('redis-cli', ['-p', String(redis.port), 'client', 'list', 'type', 'pubsub'], {
    encoding: 'utf8',
  })
    .stdout.split('\n')
    .filter((line) => /\bsub=[1-9]/.test(line)).length;

describe('a Redis outage', () => {
  it('answers 503 before writing anything, names the cache, and recovers by itself', async () => {
    const user = await tokenUser(a);
    const email = uniqueEmail('redis');
    expect(
      (await new Client(a.url).post('/auth/register', { email, password: strongPassword })).status,
    ).toBe(201);
    expect((await meOnB(user.accessToken)).status).toBe(200);
    // A and B each hold a subscription (perhaps more than one connection each, one day).
    const subscribers = subscribedClients();
    expect(subscribers).toBeGreaterThanOrEqual(2);
    const before = { sessions: await count('sessions'), audit: await count('audit_events') };

    await redis.stop();

    for (const url of [a.url, b.url]) {
      const refused = await login(url, email);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 503, code: 'unavailable' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await new Client(url).get('/healthz')).status).toBe(200);
      const health = await new Client(url).get('/readyz');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({
        storage: { ok: true },
        cache: { kind: 'redis', ok: false },
      });
    }
    // Nothing half-written: no session, no audit event for the refused logins.
    expect({ sessions: await count('sessions'), audit: await count('audit_events') }).toEqual(
      before,
    );
    expect(b.alive()).toBe(true);

    await redis.start();
    for (const url of [a.url, b.url])
      expect(await within(10_000, async () => (await login(url, email)).status === 200)).toBe(true);
    expect((await new Client(b.url).get('/readyz')).status).toBe(200);

    // Both subscriptions are back by themselves, and carry a ban from A to B.
    expect(await within(10_000, async () => subscribedClients() === subscribers)).toBe(true);
    expect((await meOnB(user.accessToken)).status).toBe(200);
    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
    expect(await within(1_000, async () => (await meOnB(user.accessToken)).status === 401)).toBe(
      true,
    );

    // B's metrics tell the story: errors on its connections, both back, and A's ban heard over the feed.
    const metrics = await scrape(b.url, metricsToken);
    expect(sample(metrics, 'gatehouse_redis_errors_total')).toBeGreaterThan(0);
    expect(sample(metrics, 'gatehouse_redis_reconnects_total')).toBeGreaterThanOrEqual(2);
    expect(sample(metrics, 'gatehouse_revocation_feed_lag_seconds_count')).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('logs the lost and restored connections as structured lines, never ioredis stack traces', () => {
    expect(b.stderr()).not.toMatch(/ioredis|^\s+at /m);
    const said = (msg: string) => b.logLines().filter((l) => l.msg === msg);
    for (const connection of ['commands', 'subscriber']) {
      const lost = said(`cache ${connection} connection lost`);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatchObject({ level: 40, dependency: 'cache', connection });
      expect(said(`cache ${connection} connection restored`)).toHaveLength(1);
    }
    expect(a.logs.join('')).toContain('"msg":"cache subscriber connection restored"');
  });
});
