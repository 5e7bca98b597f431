import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPasswordLogin } from '../../src/authn/credentials/password.js';
import { signIn } from '../../src/authn/login/sign-in.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { meWithToken, within } from '../helpers/tokens.js';

/**
 * A login reads the user when it checks the password, and writes the session
 * later: a ban committing in between must not be outrun by a session (whose
 * access token would outlive the ban's cut-off).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const meta = { ip: '127.0.0.1', userAgent: 'test' };

describe('a login racing a ban', () => {
  it('gets no session when the ban commits between the password check and the session', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const user = await signedInUser(server);
    const checked = await verifyPasswordLogin(server.core, user.email, user.password, meta);
    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
    await expect(signIn(server.core, checked, meta, { amr: ['pwd'] })).rejects.toMatchObject({
      code: 'account_banned',
    });
  });

  it('10 parallel logins around a ban: none keeps working once the ban has answered', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const user = await signedInUser(server);
    const logins = Array.from({ length: 10 }, () => {
      const client = new Client(server.url);
      return client
        .post<{ accessToken: string }>('/auth/login', {
          email: user.email,
          password: user.password,
        })
        .then((response) => ({ client, response }));
    });
    const ban = admin.client.post(`/admin/users/${user.userId}/ban`, {});
    const results = await Promise.all(logins);
    expect((await ban).status).toBe(200);
    for (const { client, response } of results) {
      expect([200, 403, 429]).toContain(response.status);
      if (response.status !== 200) continue;
      expect(await within(1000, async () => (await client.get('/auth/me')).status === 401)).toBe(
        true,
      );
      const token = response.body.accessToken;
      expect(
        await within(1000, async () => (await meWithToken(server, token)).status === 401),
      ).toBe(true);
    }
  });
});
