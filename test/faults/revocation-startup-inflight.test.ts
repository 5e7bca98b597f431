import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../helpers/fresh-postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, meWithToken, tokenUser, within } from '../helpers/tokens.js';

/**
 * On PostgreSQL a revocation's id is handed out at its insert, before its
 * transaction commits. An instance that starts while one is in flight, with a
 * later one already committed, must still pick the earlier one up once it
 * commits. Instances here have in-process caches: they learn of each other's
 * revocations only from the table.
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

describe('an instance starting while a revocation is in flight', () => {
  it('applies it once it commits, though a later one committed first', async () => {
    const settings = { databaseUrl: database.url, revocation: { pollIntervalSeconds: 1 } };
    const a = await startTestServer({ settings });
    servers.push(a);
    const slow = await tokenUser(a);
    const quick = await tokenUser(a);
    const sid = String(claimsOf(slow.accessToken).sid);

    // A logout that has written its revocation but not yet committed (a slow transaction).
    const inFlight = new pg.Client({ connectionString: database.url });
    await inFlight.connect();
    try {
      const now = a.clock.now();
      await inFlight.query('begin');
      await inFlight.query(
        `insert into revocations (kind, subject, cutoff_at, roles_version, until_at)
         values ('session', $1, $2::bigint, null, $3::bigint)`,
        [sid, now, now + 630_000],
      );
      await inFlight.query('update sessions set revoked_at = $1 where id = $2', [now, sid]);
      // Meanwhile another logout commits, with the next id.
      expect((await quick.client.post('/auth/logout', {})).status).toBe(204);

      const b = await startTestServer({ settings, shareWith: a });
      servers.push(b);
      expect((await meWithToken(b, quick.accessToken)).status).toBe(401);
      expect((await meWithToken(b, slow.accessToken)).status).toBe(200);
      await inFlight.query('commit');

      // Within B's poll interval, plus slack for a loaded machine.
      expect(
        await within(3000, async () => (await meWithToken(b, slow.accessToken)).status === 401),
      ).toBe(true);
      // A hears it from the table too, at its own next poll.
      expect(
        await within(3000, async () => (await meWithToken(a, slow.accessToken)).status === 401),
      ).toBe(true);
    } finally {
      await inFlight.end();
    }
  });
});
