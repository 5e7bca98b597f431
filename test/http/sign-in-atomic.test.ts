import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { failWrites } from '../helpers/failing-writes.js';
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

describe('a sign-in that fails half-way leaves nothing behind', () => {
  it('no new session when ending the held one fails', async () => {
    const user = await signedInUser(server);
    const undo = await failWrites(server, {
      name: 'fail_revoke',
      table: 'sessions',
      event: 'UPDATE',
      when: 'NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL',
    });
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
