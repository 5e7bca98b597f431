import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strongPassword } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/private-services.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  type LoginBody,
  logIn,
  meWithToken,
  type RefreshBody,
  tokenUser,
} from '../helpers/tokens.js';

/**
 * Found by the chaos test: a sign-in (or a refresh) whose transaction had
 * committed answered 503 when PostgreSQL went away just after, because
 * signing the access token first checked the stored keys. The client got no
 * token for a session (or a rotation) that exists: an orphan session, or a
 * refresh token rotated away from a client that then presents the old one as
 * a reuse. The keys in memory are good to sign with; the check waits for the
 * database to be back.
 *
 * Made deterministic: the test holds a lock on `signing_keys`, so the server's
 * key check waits right after the commit; once the commit is seen, PostgreSQL
 * stops under the waiting query.
 */
let database: PrivatePostgres;
let server: TestServer;

beforeAll(async () => {
  database = await startPrivatePostgres();
  server = await startTestServer({ settings: { databaseUrl: database.url } });
});
afterAll(async () => {
  await server?.stop();
  await database?.destroy();
});

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database.url });
  // Stopping the server ends this connection: expected, not a failure of the test process.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Runs `request` while the key check is held, stops PostgreSQL once `committed` is true, and restarts it. */
async function outageRightAfterCommit<T>(
  request: () => Promise<T>,
  committed: (db: pg.Client) => Promise<boolean>,
): Promise<T> {
  const lock = await connect();
  const watcher = await connect();
  await lock.query('begin');
  await lock.query('lock table signing_keys in access exclusive mode');
  // The key ring checks the stored keys when its last look is over 2 s old.
  server.clock.advance(3000);
  const answer = request();
  const deadline = Date.now() + 15_000;
  while (!(await committed(watcher))) {
    if (Date.now() > deadline) throw new Error('the change never committed');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The server is now waiting on the lock, after its commit.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await watcher.end().catch(() => {});
  await database.stop();
  try {
    return await answer;
  } finally {
    await lock.end().catch(() => {});
    await database.start();
  }
}

const count = async (db: pg.Client, text: string, values: unknown[]) =>
  Number((await db.query<{ n: string }>(text, values)).rows[0]?.n);

describe('PostgreSQL going away just after a commit', () => {
  it('a sign-in whose session committed still answers 200 with its tokens', async () => {
    const user = await tokenUser(server);
    const sessionsOf = (db: pg.Client) =>
      count(db, 'select count(*) as n from sessions where user_id = $1', [user.userId]);
    const before = await sessionsOf(await connect());
    const login = await outageRightAfterCommit(
      () =>
        new Client(server.url).post<LoginBody>('/auth/login', {
          email: user.email,
          password: strongPassword,
        }),
      async (db) => (await sessionsOf(db)) > before,
    );
    expect(login.status).toBe(200);
    const deadline = Date.now() + 15_000;
    let me = await meWithToken(server, login.body.accessToken);
    while (me.status === 503 && Date.now() < deadline)
      me = await meWithToken(server, login.body.accessToken);
    expect(me.status).toBe(200);
  });

  it('a refresh whose rotation committed still answers 200 with the new pair', async () => {
    const user = await tokenUser(server);
    const session = await logIn(server, user.email, user.password, 'body');
    const rotated = (db: pg.Client) =>
      count(db, 'select count(*) as n from refresh_tokens where rotated_at is not null', []);
    const before = await rotated(await connect());
    const refreshed = await outageRightAfterCommit(
      () =>
        new Client(server.url).post<RefreshBody>('/auth/refresh', {
          refreshToken: session.refreshToken,
        }),
      async (db) => (await rotated(db)) > before,
    );
    expect(refreshed.status).toBe(200);
    // The successor works, well after the 10 s grace for the old token would have run out.
    server.clock.advance(60_000);
    const deadline = Date.now() + 15_000;
    let next = await new Client(server.url).post<RefreshBody>('/auth/refresh', {
      refreshToken: refreshed.body.refreshToken,
    });
    while (next.status === 503 && Date.now() < deadline)
      next = await new Client(server.url).post<RefreshBody>('/auth/refresh', {
        refreshToken: refreshed.body.refreshToken,
      });
    expect(next.status).toBe(200);
  });
});
