import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

/** An unsafe, cookie-authenticated request that changes nothing when it succeeds. */
const unsafePath = '/auth/sessions/revoke-others';

describe('CSRF defences on cookie-authenticated unsafe requests', () => {
  it('refuses a request without X-CSRF-Token with 403 csrf_failed', async () => {
    const { client } = await signedInUser(server);
    const response = await client.post(unsafePath, undefined, { withoutCsrf: true });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('csrf_failed');
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // Logout without the token must not end the session either.
    expect((await client.post('/auth/logout', undefined, { withoutCsrf: true })).status).toBe(403);
    expect((await client.get('/auth/me')).status).toBe(200);
  });

  it('refuses another session’s token (another user’s, or an earlier session’s)', async () => {
    const { client, email, password } = await signedInUser(server);
    const other = await signedInUser(server);
    expect(other.client.csrfToken).not.toBe(client.csrfToken);

    const foreign = await client.post(unsafePath, undefined, {
      headers: { 'x-csrf-token': other.client.csrfToken ?? '' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('csrf_failed');

    // Sign in again: a new session, so the previous session's token no longer fits.
    const login = await client.post<{ csrfToken: string }>('/auth/login', { email, password });
    expect(login.status).toBe(200);
    const stale = await client.post(unsafePath, undefined, {
      headers: { 'x-csrf-token': client.csrfToken ?? '' },
    });
    expect(stale.status).toBe(403);
    client.csrfToken = login.body.csrfToken;
    expect((await client.post(unsafePath)).status).toBe(200);
  });

  it('refuses a garbage token', async () => {
    const { client } = await signedInUser(server);
    const response = await client.post(unsafePath, undefined, {
      headers: { 'x-csrf-token': 'x'.repeat(43) },
    });
    expect(response.status).toBe(403);
  });

  it('accepts the session’s own token', async () => {
    const { client } = await signedInUser(server);
    const response = await client.post(unsafePath);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ revoked: 0 });
  });

  it('refuses a cross-site Origin even with the right token', async () => {
    const { client } = await signedInUser(server);
    const response = await client.post(unsafePath, undefined, {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('csrf_failed');
    const logout = await client.post('/auth/logout', undefined, {
      headers: { origin: 'https://evil.example' },
    });
    expect(logout.status).toBe(403);
    expect((await client.get('/auth/me')).status).toBe(200);
    // The server's own origin is fine.
    const sameOrigin = await client.post(unsafePath, undefined, {
      headers: { origin: new URL(server.url).origin },
    });
    expect(sameOrigin.status).toBe(200);
  });

  it('refuses Sec-Fetch-Site: cross-site even with the right token', async () => {
    const { client } = await signedInUser(server);
    const response = await client.post(unsafePath, undefined, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('csrf_failed');
    const sameOrigin = await client.post(unsafePath, undefined, {
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(200);
  });

  it('refuses a cross-site login attempt (no cookie involved)', async () => {
    const email = uniqueEmail('xsite');
    await signedInUser(server, { email });
    const response = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ email, password: strongPassword }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('GET /auth/csrf returns the same token as login', async () => {
    const { client } = await signedInUser(server);
    const response = await client.get<{ csrfToken: string }>('/auth/csrf');
    expect(response.status).toBe(200);
    expect(response.body.csrfToken).toBe(client.csrfToken);
    expect(response.body.csrfToken).toMatch(/^[\w-]{43}$/);
  });

  it('does not need a token on safe methods', async () => {
    const { client } = await signedInUser(server);
    client.csrfToken = undefined;
    expect((await client.get('/auth/sessions')).status).toBe(200);
  });
});
