import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../helpers/fresh-postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { meWithToken, tokenUser, within } from '../helpers/tokens.js';

/**
 * On PostgreSQL a rolled-back revocation (a ban whose transaction failed, an
 * outage mid-logout) leaves a hole in the ids for good; the cursor waits below
 * it for the grace period. Whatever commits above the hole meanwhile must still
 * be read: a busy deployment easily has a page's worth (500) of logouts in the
 * ten minutes a revocation stays live. Two instances with in-process caches
 * share one database, so B learns of A's revocations only from the table.
 */
let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
const servers: TestServer[] = [];

beforeAll(async () => {
  database = await freshPostgresDatabase();
});
afterAll(async () => {
  try {
    for (const server of servers.reverse()) await server.stop();
  } finally {
    await database.drop();
  }
});

async function sql(statement: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(statement, values);
  } finally {
    await client.end();
  }
}

/** Resolves to the server, or to undefined if it has not started within `ms`. */
async function startedWithin(ms: number, start: Promise<TestServer>) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([start, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a hole in the revocation ids with a full page committed above it', () => {
  it('B still reads what commits after the page, and a new instance still starts', async () => {
    const settings = { databaseUrl: database.url, revocation: { pollIntervalSeconds: 1 } };
    const a = await startTestServer({ settings });
    servers.push(a);
    const b = await startTestServer({ settings, shareWith: a });
    servers.push(b);
    const admin = await tokenUser(a, { roles: ['admin'] });
    const user = await tokenUser(a);
    expect((await meWithToken(b, user.accessToken)).status).toBe(200);

    const now = a.clock.now();
    const columns = 'revocations (kind, subject, cutoff_at, roles_version, until_at)';
    // A revocation that rolled back: its id is never used.
    await sql(
      `do $$ begin
         insert into ${columns} values ('session', 'rolled-back', 0, null, 0);
         raise exception 'rolled back';
       exception when raise_exception then null; end $$`,
    );
    // 500 logouts after it (other sessions).
    await sql(
      `insert into ${columns} select 'session', 'other-' || g, $1::bigint, null, $2::bigint
       from generate_series(1, 500) g`,
      [now, now + 600_000],
    );

    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
    // Within B's poll interval, plus slack for a loaded machine.
    expect(
      await within(3000, async () => (await meWithToken(b, user.accessToken)).status === 401),
    ).toBe(true);

    const c = await startedWithin(10_000, startTestServer({ settings, shareWith: a }));
    expect(c).toBeDefined();
    if (c) servers.push(c);
    expect((await meWithToken(c as TestServer, user.accessToken)).status).toBe(401);
  });
});
