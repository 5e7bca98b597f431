import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { mailedToken } from '../helpers/outbox.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { logLevel: 'trace' } });
});
afterAll(async () => server.stop());

describe('secrets never reach the log', () => {
  it('keeps passwords, cookies, CSRF and reset tokens out of the log lines', async () => {
    const email = uniqueEmail('logged');
    const password = 'first secret passphrase 7d1f';
    const changed = 'second secret passphrase 9a3c';
    const reset = 'third secret passphrase 41be';
    const secrets: string[] = [password, changed, reset];
    const client = new Client(server.url);

    expect((await client.post('/auth/register', { email, password })).status).toBe(201);
    const verification = await mailedToken(server, email, /verify/i);
    secrets.push(verification);
    expect((await client.post('/auth/email/verify', { token: verification })).status).toBe(200);

    // A failed login too: its password must not be logged either.
    const wrong = 'wrong secret passphrase 0c0c';
    secrets.push(wrong);
    expect((await client.post('/auth/login', { email, password: wrong })).status).toBe(401);

    const login = await client.post<{ csrfToken: string }>('/auth/login', { email, password });
    expect(login.status).toBe(200);
    client.csrfToken = login.body.csrfToken;
    secrets.push(login.body.csrfToken);
    const firstCookie = client.cookies.get('__Host-gh_session');
    expect(firstCookie).toBeDefined();
    secrets.push(firstCookie as string);

    // Signing in again refreshes the cookie.
    const again = await client.post<{ csrfToken: string }>('/auth/login', { email, password });
    expect(again.status).toBe(200);
    client.csrfToken = again.body.csrfToken;
    secrets.push(again.body.csrfToken, client.cookies.get('__Host-gh_session') as string);
    expect((await client.get('/auth/me')).status).toBe(200);
    expect((await client.get('/auth/csrf')).status).toBe(200);

    // A request with a wrong CSRF token and one with a malformed body.
    expect(
      (await client.post('/auth/sessions/revoke-others', undefined, { withoutCsrf: true })).status,
    ).toBe(403);
    expect(
      (
        await client.post('/auth/password/change', undefined, {
          body: `{"currentPassword":"${password}","newPassword":`,
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(400);

    expect(
      (
        await client.post('/auth/password/change', {
          currentPassword: password,
          newPassword: changed,
        })
      ).status,
    ).toBe(204);

    expect((await client.post('/auth/password/forgot', { email })).status).toBe(202);
    const resetToken = await mailedToken(server, email, /reset/i);
    secrets.push(resetToken);
    expect(
      (
        await new Client(server.url).post('/auth/password/reset', {
          token: resetToken,
          newPassword: reset,
        })
      ).status,
    ).toBe(204);
    // A replayed reset token fails: that path must not log it either.
    expect(
      (
        await new Client(server.url).post('/auth/password/reset', {
          token: resetToken,
          newPassword: reset,
        })
      ).status,
    ).toBe(400);

    const log = server.logs.join('');
    // The log is not empty: the requests above were logged.
    expect(log).toContain('/auth/login');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      expect(log, `log contains ${secret.slice(0, 6)}…`).not.toContain(secret);
    }
  });

  it('redacts credentials a client put in the query string, and still refuses them', async () => {
    const secrets = {
      api_key: 'gth_live_0123456789abcdef_query_string_secret_1',
      access_token: 'eyJhbGciOiJFZERTQSJ9.query-string-secret-2',
      token: 'query-string-secret-3-token',
      refresh_token: 'query-string-secret-4-refresh',
      password: 'query-string-secret-5-password',
      code: 'query-string-secret-6-code',
      'X-Api-Key': 'query-string-secret-7-header-name',
      key: 'query-string-secret-8-key',
    };
    for (const [name, value] of Object.entries(secrets)) {
      const response = await new Client(server.url).get(
        `/auth/me?${encodeURIComponent(name)}=${encodeURIComponent(value)}&page=7`,
      );
      expect(response.status, name).toBe(401);
    }
    // Whatever a parameter is called, one of our API keys or a JWT is not logged.
    const bare = 'gth_test_fedcba9876543210_query_string_secret_9';
    expect((await new Client(server.url).get(`/auth/me?q=${bare}&${bare}`)).status).toBe(401);
    const log = server.logs.join('');
    expect(log).toContain('page=7');
    expect(log).toContain('api_key=[redacted]');
    for (const value of [...Object.values(secrets), bare]) {
      expect(log, `log contains ${value.slice(0, 12)}…`).not.toContain(encodeURIComponent(value));
      expect(log).not.toContain(value.slice(-10));
    }
  });
});
