import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Signing in again ends the session the browser held. That revocation, the
 * new session and its audit row commit together: when the revocation fails,
 * no new session is left behind an error answer.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** Makes every session revocation fail, until undone. */
async function failRevocations(): Promise<() => Promise<void>> {
  const db = server.core.store.db;
  if (server.core.store.dialect === 'sqlite') {
    await sql
      .raw(
        `CREATE TRIGGER fail_revoke BEFORE UPDATE OF revoked_at ON sessions
         WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
      )
      .execute(db);
    return async () => {
      await sql.raw('DROP TRIGGER fail_revoke').execute(db);
    };
  }
  await sql
    .raw(
      `CREATE FUNCTION fail_revoke() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER fail_revoke BEFORE UPDATE ON sessions FOR EACH ROW
       WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL) EXECUTE FUNCTION fail_revoke()`,
    )
    .execute(db);
  return async () => {
    await sql.raw('DROP TRIGGER fail_revoke ON sessions').execute(db);
    await sql.raw('DROP FUNCTION fail_revoke()').execute(db);
  };
}

describe('a sign-in that fails half-way leaves nothing behind', () => {
  it('no new session when ending the held one fails', async () => {
    const user = await signedInUser(server);
    const undo = await failRevocations();
    const again = await user.client.post('/auth/login', {
      email: user.email,
      password: user.password,
    });
    expect(again.status).toBe(500);
    await undo();

    const sessions = await user.client.get<{ sessions: Array<{ current: boolean }> }>(
      '/auth/sessions',
    );
    expect(sessions.status).toBe(200);
    expect(sessions.body.sessions).toEqual([expect.objectContaining({ current: true })]);
  });
});
