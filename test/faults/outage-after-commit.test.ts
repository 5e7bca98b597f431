import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
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
 * Found by the chaos test: requests that answered 503 after their change had
 * committed, because a second query after the commit met PostgreSQL going
 * away. A sign-in or refresh checked the stored signing keys before signing
 * (an orphan session, or a refresh token rotated away from its client, whose
 * later retry then counts as reuse); a registration wrote its verification
 * link in a transaction of its own (a user that answered 503, and no link).
 *
 * Made deterministic: the test holds a lock on the table of that second
 * query; once a server query waits on it, PostgreSQL stops under it.
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

/**
 * Runs `request` while the test holds `table` locked; once one of the server's
 * queries waits on that lock, PostgreSQL stops under it, then starts again.
 */
async function outageWhileWaitingOn<T>(table: string, request: () => Promise<T>): Promise<T> {
  const lock = await connect();
  const watcher = await connect();
  await lock.query('begin');
  await lock.query(`lock table ${table} in access exclusive mode`);
  // The key ring checks the stored keys when its last look is over 2 s old.
  server.clock.advance(3000);
  const answer = request();
  const deadline = Date.now() + 15_000;
  const waiting = async () =>
    (await count(
      watcher,
      `select count(*) as n from pg_locks l join pg_class c on c.oid = l.relation
       where not l.granted and c.relname = $1`,
      [table],
    )) > 0;
  while (!(await waiting())) {
    if (Date.now() > deadline) throw new Error(`nothing waited on ${table}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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

/** Asks again while the database is still coming back (503), as a client honouring Retry-After would. */
async function untilServed<T extends { status: number }>(ask: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15_000;
  let answer = await ask();
  while (answer.status === 503 && Date.now() < deadline) answer = await ask();
  return answer;
}

describe('PostgreSQL going away in the middle of a request', () => {
  it('a sign-in whose session committed still answers 200 with its tokens', async () => {
    const user = await tokenUser(server);
    const login = await outageWhileWaitingOn('signing_keys', () =>
      new Client(server.url).post<LoginBody>('/auth/login', {
        email: user.email,
        password: strongPassword,
      }),
    );
    expect(login.status).toBe(200);
    expect((await untilServed(() => meWithToken(server, login.body.accessToken))).status).toBe(200);
  });

  it('a refresh whose rotation committed still answers 200 with the new pair', async () => {
    const user = await tokenUser(server);
    const session = await logIn(server, user.email, user.password, 'body');
    const refreshed = await outageWhileWaitingOn('signing_keys', () =>
      new Client(server.url).post<RefreshBody>('/auth/refresh', {
        refreshToken: session.refreshToken,
      }),
    );
    expect(refreshed.status).toBe(200);
    // The successor works, well after the 10 s grace for the old token would have run out.
    server.clock.advance(60_000);
    const next = await untilServed(() =>
      new Client(server.url).post<RefreshBody>('/auth/refresh', {
        refreshToken: refreshed.body.refreshToken,
      }),
    );
    expect(next.status).toBe(200);
  });

  it('a registration answered 503 left no user; one answered 201 has its verification link', async () => {
    const email = uniqueEmail('mid');
    const registered = await outageWhileWaitingOn('one_time_tokens', () =>
      new Client(server.url).post('/auth/register', { email, password: strongPassword }),
    );
    expect([201, 503]).toContain(registered.status);
    const db = await connect();
    try {
      const users = await db.query<{ id: string }>('select id from users where email = $1', [
        email,
      ]);
      const links = await db.query(
        `select t.id from one_time_tokens t join users u on u.id = t.user_id
         where u.email = $1 and t.purpose = 'email_verification'`,
        [email],
      );
      expect(users.rows).toHaveLength(registered.status === 201 ? 1 : 0);
      expect(links.rows).toHaveLength(registered.status === 201 ? 1 : 0);
    } finally {
      await db.end();
    }
  });
});
