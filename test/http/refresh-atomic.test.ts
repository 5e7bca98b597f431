import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { refreshWith, tokenUser } from '../helpers/tokens.js';

/**
 * A refresh rotates the token and slides the session in one transaction. When
 * the second write failed after the first had committed, the client got an
 * error although its token was already spent: its retry after the grace window
 * was taken for token theft and the session was revoked.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** Makes every write that slides a session's last-seen time fail, until undone. */
async function failSessionTouches(): Promise<() => Promise<void>> {
  const db = server.core.store.db;
  if (server.core.store.dialect === 'sqlite') {
    await sql
      .raw(
        `CREATE TRIGGER fail_touch BEFORE UPDATE OF last_seen_at ON sessions
         WHEN NEW.last_seen_at <> OLD.last_seen_at
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
      )
      .execute(db);
    return async () => {
      await sql.raw('DROP TRIGGER fail_touch').execute(db);
    };
  }
  await sql
    .raw(
      `CREATE FUNCTION fail_touch() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER fail_touch BEFORE UPDATE ON sessions FOR EACH ROW
       WHEN (NEW.last_seen_at <> OLD.last_seen_at) EXECUTE FUNCTION fail_touch()`,
    )
    .execute(db);
  return async () => {
    await sql.raw('DROP TRIGGER fail_touch ON sessions').execute(db);
    await sql.raw('DROP FUNCTION fail_touch()').execute(db);
  };
}

describe('a refresh that fails half-way spends nothing', () => {
  it('the same refresh token works after the failure, even past the grace window', async () => {
    const user = await tokenUser(server, { delivery: 'body' });
    const undo = await failSessionTouches();
    server.clock.advance(2_000);
    const failed = await refreshWith(server, user.refreshToken);
    expect(failed.status).toBe(500);
    await undo();

    server.clock.advance((server.core.settings.tokens.refreshGraceSeconds + 1) * 1000);
    const retried = await refreshWith(server, user.refreshToken);
    expect(retried.status).toBe(200);
    expect(typeof retried.body.accessToken).toBe('string');
  });
});
