import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { failWrites } from '../helpers/failing-writes.js';
import { challengeFor, nextCode, totpUser } from '../helpers/mfa.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * A second step uses its challenge up in the transaction that writes the
 * session: a sign-in that fails there leaves the challenge as it was, not
 * spent on nothing.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('a second step that fails half-way leaves its challenge alive', () => {
  it('no session written, the challenge still redeems with the next code', async () => {
    const { email, password, secret, userId } = await totpUser(server);
    const challenge = await challengeFor(server, email, password);
    const client = new Client(server.url);
    const undo = await failWrites(server, {
      name: 'fail_mfa_session',
      table: 'sessions',
      event: 'INSERT',
      when: `NEW.user_id = '${userId}'`,
    });
    const failed = await client.post('/auth/mfa/verify', {
      challenge,
      method: 'totp',
      code: nextCode(server, secret),
    });
    await undo();
    expect(failed.status).toBe(500);
    expect(failed.headers.getSetCookie()).toEqual([]);
    const retried = await client.post('/auth/mfa/verify', {
      challenge,
      method: 'totp',
      code: nextCode(server, secret),
    });
    expect(retried.status, retried.text).toBe(200);
  });
});
