import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { type CliServer, startCliServer } from '../helpers/cli-server.js';
import { Client } from '../helpers/client.js';
import { newMetricsToken, sample, scrape } from '../helpers/metrics.js';
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/private-services.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logIn, within } from '../helpers/tokens.js';

/**
 * Two instances on a private PostgreSQL: `loaded` runs in this process under a
 * light request loop, `idle` is a real `gatehouse serve` process that only
 * answers when asked. Stopping the database must kill neither; while it is
 * down, what needs it answers 503 `unavailable`; when it is back, both serve
 * again by themselves.
 */
const PASSWORD_IN_URL = 'not-a-real-pw-7f3a';

let database: PrivatePostgres;
let loaded: TestServer;
let idle: CliServer;
let email: string;
const metricsToken = newMetricsToken();
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  process.on('uncaughtException', recordUncaught);
  process.on('unhandledRejection', recordUncaught);
  database = await startPrivatePostgres();
  // Trust auth ignores the password: it is there to prove it never reaches a log line.
  const url = database.url.replace('postgres@', `postgres:${PASSWORD_IN_URL}@`);
  // Purging every second: its timer meets the outage too.
  loaded = await startTestServer({
    settings: { databaseUrl: url, purge: { intervalSeconds: 1 }, metrics: { token: metricsToken } },
  });
  // Same data dir: the same secret key opens the signing keys both read from the database.
  idle = await startCliServer({ DATABASE_URL: url }, ['--data-dir', loaded.dataDir]);
  email = uniqueEmail('pg');
  const registered = await new Client(loaded.url).post('/auth/register', {
    email,
    password: strongPassword,
  });
  expect(registered.status).toBe(201);
});

afterAll(async () => {
  await idle?.stop();
  await loaded?.stop();
  await database?.destroy();
  process.off('uncaughtException', recordUncaught);
  process.off('unhandledRejection', recordUncaught);
});

const me = (client: Client) => client.get('/auth/me');

/** A client on another instance carrying the same session cookie. */
function sameSessionOn(url: string, signedIn: Client): Client {
  const client = new Client(url);
  for (const [name, value] of signedIn.cookies) client.cookies.set(name, value);
  return client;
}

/** Requests until stopped; remembers every status. */
function lightLoad(client: Client) {
  const statuses: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      // A dropped connection (a dead server) counts as 0: never expected.
      statuses.push(
        await me(client).then(
          (r) => r.status,
          () => 0,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    statuses,
    async stop() {
      running = false;
      await done;
    },
  };
}

function expectUnavailable(response: Awaited<ReturnType<typeof me>>) {
  expect(response.status).toBe(503);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status: 503, code: 'unavailable' });
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

/**
 * A session resolved within the last second may still be answered from the
 * instance's session cache (its stated bound); after that, the database decides.
 */
async function afterSessionCache(client: Parameters<typeof me>[0]) {
  const deadline = Date.now() + 3000;
  let response = await me(client);
  while (response.status === 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    response = await me(client);
  }
  return response;
}

describe('a PostgreSQL outage', () => {
  it('answers 503 unavailable while the database is down, and both instances recover by themselves', async () => {
    const onLoaded = (await logIn(loaded, email, strongPassword)).client;
    const idleClient = sameSessionOn(idle.url, (await logIn(loaded, email, strongPassword)).client);
    // The idle instance has pooled connections, then sits idle.
    expect((await me(idleClient)).status).toBe(200);
    const load = lightLoad(onLoaded);

    await database.stop();

    for (const [server, client] of [
      [loaded.url, onLoaded],
      [idle.url, idleClient],
    ] as const) {
      expectUnavailable(await afterSessionCache(client));
      const ready = await new Client(server).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ storage: { ok: false }, cache: { ok: true } });
      // Alive all the same: a liveness probe must not restart an instance for its database.
      expect((await new Client(server).get('/healthz')).status).toBe(200);
    }
    expect(idle.alive()).toBe(true);

    await database.start();
    expect(await within(15_000, async () => (await me(idleClient)).status === 200)).toBe(true);
    expect(await within(15_000, async () => (await me(onLoaded)).status === 200)).toBe(true);
    await load.stop();

    expect(idle.alive()).toBe(true);
    expect(uncaught).toEqual([]);
    expect(load.statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(load.statuses).toContain(503);
    // One structured line says what was lost, one that it is back; no stack traces, no password anywhere.
    const said = (msg: string) => idle.logLines().filter((l) => l.msg === msg);
    expect(said('database connection lost')).toHaveLength(1);
    expect(said('database connection lost')[0]).toMatchObject({
      level: 40,
      dependency: 'database',
    });
    expect(said('database connection restored')).toHaveLength(1);
    expect(idle.stderr()).not.toMatch(/^\s+at /m);
    // The loaded instance counted the failed queries as the outage they were, and its pool is back.
    const metrics = await scrape(loaded.url, metricsToken);
    expect(
      sample(metrics, 'gatehouse_db_query_errors_total', { kind: 'unavailable' }),
    ).toBeGreaterThan(0);
    expect(sample(metrics, 'gatehouse_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(idle.stdout() + idle.stderr() + loaded.logs.join('')).not.toContain(PASSWORD_IN_URL);
  });

  it('logs a purge that meets the outage as one line, without a stack, and serves again after', async () => {
    const purgeLines = () =>
      loaded.logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((l) => /purge/.test(String(l.msg)));
    const before = purgeLines().length;
    await database.stop();
    try {
      expect(await within(5_000, async () => purgeLines().length > before)).toBe(true);
    } finally {
      await database.start();
    }
    const failed = purgeLines().slice(before);
    expect(failed.length).toBeGreaterThan(0);
    for (const line of failed) {
      expect(line).toMatchObject({ msg: 'purge failed', level: 40, dependency: 'database' });
      expect(JSON.stringify(line)).not.toMatch(/"stack"|\\n\s+at /);
    }
    expect(loaded.logs.join('')).not.toContain(PASSWORD_IN_URL);
    const { client } = await logIn(loaded, email, strongPassword);
    expect((await me(client)).status).toBe(200);
  });

  it('survives pg_terminate_backend of its idle pooled connections', async () => {
    const { client } = await logIn(loaded, email, strongPassword);
    const idleClient = sameSessionOn(idle.url, client);
    expect((await me(idleClient)).status).toBe(200);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const terminated = await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where pid <> pg_backend_pid() and backend_type = 'client backend'`,
    );
    await admin.end();
    expect(terminated.rowCount).toBeGreaterThan(0);

    // The first request may still meet a connection that died under it: never a 500, then 200.
    const seen: number[] = [];
    expect(
      await within(5_000, async () => {
        seen.push((await me(idleClient)).status);
        return seen.at(-1) === 200;
      }),
    ).toBe(true);
    expect(seen.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(idle.alive()).toBe(true);
    expect((await me(client)).status).toBe(200);
    expect(uncaught).toEqual([]);
  });
});
