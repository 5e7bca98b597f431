import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.js';
import { defineRoute } from '../../src/http/route.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, claimsOf, tokenUser } from '../helpers/tokens.js';

/** Routes of an embedding app that demand a recent or a strong login. */
const routes = [
  defineRoute({
    method: 'GET',
    url: '/t/recent',
    access: 'authenticated',
    summary: 'needs a login within 5 minutes',
    stepUp: { maxAgeSeconds: 300 },
    handler: async () => ({ ok: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/t/strong',
    access: 'authenticated',
    summary: 'needs aal2',
    stepUp: { acr: 'aal2' },
    handler: async () => ({ ok: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/t/permission',
    access: { permission: 'posts:read', recentAuthSeconds: 60 },
    summary: 'a permission route that needs a login within a minute',
    handler: async () => ({ ok: true }),
  }),
];

/** The demo policy: `viewer` holds `posts:read`. */
const policyFile = fileURLToPath(new URL('../../examples/policy.yaml', import.meta.url));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ routes, settings: { policyFile } });
});
afterAll(() => server.stop());

const minutes = (n: number) => n * 60_000;

/** RFC 9470 §3: the challenge and the problem both name what is needed. */
function expectStepUp(response: Response, needs: { maxAge?: number; acr?: string }): void {
  expectProblem(response, 401, 'step_up_required');
  const challenge = response.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer /);
  expect(challenge).toContain('error="insufficient_user_authentication"');
  if (needs.maxAge !== undefined) {
    expect(challenge).toContain(`max_age=${needs.maxAge}`);
    expect(response.body.maxAge).toBe(needs.maxAge);
  } else expect(challenge).not.toContain('max_age');
  if (needs.acr !== undefined) {
    expect(challenge).toContain(`acr_values="${needs.acr}"`);
    expect(response.body.acrValues).toBe(needs.acr);
  } else expect(challenge).not.toContain('acr_values');
}

const reauth = (client: Client, body: Record<string, unknown>, headers?: Record<string, string>) =>
  client.post<{
    csrfToken: string;
    accessToken: string;
    authentication: { amr: string[]; acr: string; authTime: string };
  }>('/auth/reauthenticate', body, headers ? { headers } : {});

describe('a route that demands a recent login', () => {
  it('lets a fresh login in, and refuses it once too old with 401 naming max_age', async () => {
    const { client } = await signedInUser(server);
    expect((await client.get('/t/recent')).status).toBe(200);
    server.clock.advance(minutes(5) + 1000);
    expectStepUp(await client.get('/t/recent'), { maxAge: 300 });
  });

  it('a password re-authentication renews the login on the same session', async () => {
    const { client, password } = await signedInUser(server);
    const before = (await client.get<{ authentication: { authTime: string } }>('/auth/me')).body;
    server.clock.advance(minutes(6));
    expectStepUp(await client.get('/t/recent'), { maxAge: 300 });
    const oldCookie = client.cookies.get(SESSION_COOKIE);
    const sessionsBefore = await client.get<{ sessions: { id: string; current: boolean }[] }>(
      '/auth/sessions',
    );

    const renewed = await reauth(client, { method: 'password', password });
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.body.authentication).toMatchObject({ amr: ['pwd'], acr: 'aal1' });
    expect(Date.parse(renewed.body.authentication.authTime)).toBeGreaterThan(
      Date.parse(before.authentication.authTime),
    );
    // The same session (same id, same CSRF token) under a new cookie token; the old one is dead.
    const newCookie = client.cookies.get(SESSION_COOKIE);
    expect(newCookie).toBeDefined();
    expect(newCookie).not.toBe(oldCookie);
    expect(renewed.body.csrfToken).toBe(client.csrfToken);
    expect((await client.get('/t/recent')).status).toBe(200);
    const sessionsAfter = await client.get<{ sessions: { id: string; current: boolean }[] }>(
      '/auth/sessions',
    );
    const currentOf = (list: typeof sessionsAfter) =>
      list.body.sessions.find((session) => session.current)?.id;
    expect(currentOf(sessionsAfter)).toBe(currentOf(sessionsBefore));
    expect(sessionsAfter.body.sessions).toHaveLength(1);
    const stale = await new Client(server.url).get('/auth/me', {
      headers: { cookie: `${SESSION_COOKIE}=${oldCookie}` },
    });
    expectProblem(stale, 401, 'unauthenticated');

    // The fresh access token carries the new auth_time and passes too; it names the same session.
    const claims = claimsOf(renewed.body.accessToken);
    expect(claims.auth_time).toBe(
      Math.floor(Date.parse(renewed.body.authentication.authTime) / 1000),
    );
    const viaToken = await new Client(server.url).get(
      '/t/recent',
      bearer(renewed.body.accessToken),
    );
    expect(viaToken.status).toBe(200);
  });

  it('an access token keeps the login it was minted with: an old one stays refused', async () => {
    const user = await tokenUser(server);
    server.clock.advance(minutes(5) + 1000);
    const bare = new Client(server.url);
    expectStepUp(await bare.get('/t/recent', bearer(user.accessToken)), { maxAge: 300 });
    // A bearer caller re-authenticates with its token (no cookie, no CSRF) and gets a new one.
    const renewed = await reauth(
      bare,
      { method: 'password', password: user.password },
      { authorization: `Bearer ${user.accessToken}` },
    );
    expect(renewed.status, renewed.text).toBe(200);
    expect(claimsOf(renewed.body.accessToken).sid).toBe(claimsOf(user.accessToken).sid);
    expect((await bare.get('/t/recent', bearer(renewed.body.accessToken))).status).toBe(200);
    expectStepUp(await bare.get('/t/recent', bearer(user.accessToken)), { maxAge: 300 });
    // A token caller's re-authentication leaves the session's cookie alone (and renews it too).
    expect(renewed.headers.getSetCookie()).toEqual([]);
    expect((await user.client.get('/t/recent')).status).toBe(200);
  });

  it('10 parallel re-authentications by one cookie: one new cookie token, and it works', async () => {
    const { client, password } = await signedInUser(server);
    const oldCookie = client.cookies.get(SESSION_COOKIE);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => {
        const twin = new Client(server.url);
        twin.cookies.set(SESSION_COOKIE, oldCookie ?? '');
        twin.csrfToken = client.csrfToken;
        return reauth(twin, { method: 'password', password });
      }),
    );
    // One rotates; the others renewed the login before it did (200, no cookie) or came after,
    // with a cookie that was already dead (401).
    for (const answer of answers) expect([200, 401]).toContain(answer.status);
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    const issued = answers.flatMap((answer) =>
      answer.headers.getSetCookie().filter((line) => line.startsWith(`${SESSION_COOKIE}=`)),
    );
    expect(issued).toHaveLength(1);
    const fresh = issued[0]?.split(';')[0] ?? '';
    const me = (cookie: string) => new Client(server.url).get('/auth/me', { headers: { cookie } });
    expect((await me(fresh)).status).toBe(200);
    expectProblem(await me(`${SESSION_COOKIE}=${oldCookie}`), 401, 'unauthenticated');
  });

  it('a permission route with recentAuthSeconds demands it too', async () => {
    const { client } = await signedInUser(server, { roles: ['viewer'] });
    expect((await client.get('/t/permission')).status).toBe(200);
    server.clock.advance(61_000);
    expectStepUp(await client.get('/t/permission'), { maxAge: 60 });
  });

  it('a missing permission is 403, not a step-up, however fresh the login', async () => {
    const { client } = await signedInUser(server);
    expectProblem(await client.get('/t/permission'), 403, 'forbidden');
  });
});

describe('a route that demands a strong login', () => {
  it('refuses a password login (aal1) with 401 naming acr_values="aal2"', async () => {
    const { client } = await signedInUser(server);
    expectStepUp(await client.get('/t/strong'), { acr: 'aal2' });
  });

  it('a password re-authentication does not make it strong', async () => {
    const { client, password } = await signedInUser(server);
    expect((await reauth(client, { method: 'password', password })).status).toBe(200);
    expectStepUp(await client.get('/t/strong'), { acr: 'aal2' });
  });
});

describe('a credential with no login behind it', () => {
  it('an API key never meets a demand, and cannot re-authenticate', async () => {
    const { client } = await signedInUser(server, { roles: ['viewer'] });
    const created = await client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
      name: 'bot',
    });
    expect(created.status).toBe(201);
    const key = { 'x-api-key': created.body.apiKey.key };
    const bare = new Client(server.url);
    expect((await bare.get('/auth/me', { headers: key })).status).toBe(200);
    for (const path of ['/t/recent', '/t/strong', '/t/permission']) {
      const refused = await bare.get(path, { headers: key });
      expectProblem(refused, 401, 'step_up_required');
      expect(refused.body.detail).toMatch(/not a key/);
    }
    const tried = await bare.post(
      '/auth/reauthenticate',
      { method: 'password', password: 'correct horse battery staple 42' },
      { headers: key },
    );
    expectProblem(tried, 403, 'forbidden');
  });
});

describe('POST /auth/reauthenticate', () => {
  it('a wrong password is 401 invalid_credentials and renews nothing', async () => {
    const { client } = await signedInUser(server);
    server.clock.advance(minutes(6));
    const wrong = await reauth(client, { method: 'password', password: 'not the password at all' });
    expectProblem(wrong, 401, 'invalid_credentials');
    expectStepUp(await client.get('/t/recent'), { maxAge: 300 });
  });

  it('is audited, success and failure, without the password', async () => {
    const { client, password, userId } = await signedInUser(server);
    await reauth(client, { method: 'password', password: 'a wrong password for audit' });
    await reauth(client, { method: 'password', password });
    const events = await server.core.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('user_id', '=', userId)
      .where('type', '=', 'reauthenticated')
      .orderBy('id')
      .execute();
    expect(events.map((event) => event.outcome)).toEqual(['failure', 'success']);
    expect(JSON.parse(events[1]?.detail ?? '{}')).toMatchObject({
      method: 'password',
      amr: 'pwd',
      acr: 'aal1',
    });
    const text = JSON.stringify(events);
    expect(text).not.toContain(password);
    expect(text).not.toContain('a wrong password for audit');
  });

  it('password guesses count against the login limits (429 with Retry-After)', async () => {
    const limited = await startTestServer({ settings: { rateLimit: { loginPerAccount: 3 } } });
    try {
      const { client, password } = await signedInUser(limited);
      for (let i = 0; i < 3; i += 1) {
        const wrong = await reauth(client, { method: 'password', password: `wrong guess ${i}` });
        expectProblem(wrong, 401, 'invalid_credentials');
      }
      const blocked = await reauth(client, { method: 'password', password });
      expectProblem(blocked, 429, 'rate_limited');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });

  it('needs a live session: after logout the cookie re-authenticates nothing', async () => {
    const { client, password } = await signedInUser(server);
    const csrf = client.csrfToken;
    const cookies = new Map(client.cookies);
    expect((await client.post('/auth/logout')).status).toBe(204);
    const stale = new Client(server.url);
    for (const [name, value] of cookies) stale.cookies.set(name, value);
    stale.csrfToken = csrf;
    expectProblem(await reauth(stale, { method: 'password', password }), 401, 'unauthenticated');
  });

  it('a cookie caller must send the CSRF token', async () => {
    const { client, password } = await signedInUser(server);
    const forged = await client.post(
      '/auth/reauthenticate',
      { method: 'password', password },
      { withoutCsrf: true },
    );
    expectProblem(forged, 403, 'csrf_failed');
  });

  it('bad bodies are 400, and a factor the account does not have is 400', async () => {
    const { client } = await signedInUser(server);
    for (const body of [
      {},
      { method: 'password' },
      { method: 'pigeon', password: 'x' },
      { method: 'password', password: 'x'.repeat(2000) },
      { method: 'webauthn', code: '123456' },
      { method: 'totp', code: '123456', password: 'extra' },
    ]) {
      expectProblem(await reauth(client, body), 400, 'invalid_request');
    }
    expectProblem(await reauth(client, { method: 'totp', code: '123456' }), 400, 'invalid_request');
  });
});

describe('actions that demand a recent login (stepUp.recentLoginSeconds, 10 min)', () => {
  it('API-key creation: fresh is fine, 10 minutes later it needs a re-authentication', async () => {
    const { client, password } = await signedInUser(server);
    expect((await client.post('/auth/api-keys', { name: 'fresh' })).status).toBe(201);
    server.clock.advance(minutes(10) + 1000);
    expectStepUp(await client.post('/auth/api-keys', { name: 'stale' }), { maxAge: 600 });
    expect((await reauth(client, { method: 'password', password })).status).toBe(200);
    expect((await client.post('/auth/api-keys', { name: 'renewed' })).status).toBe(201);
  });

  it('password change: refused on an old login before the password is even tried', async () => {
    const { client, password } = await signedInUser(server);
    server.clock.advance(minutes(10) + 1000);
    const change = { currentPassword: password, newPassword: 'a brand new passphrase 77' };
    expectStepUp(await client.post('/auth/password/change', change), { maxAge: 600 });
    expect((await reauth(client, { method: 'password', password })).status).toBe(200);
    expect((await client.post('/auth/password/change', change)).status).toBe(204);
  });

  it('the window is a setting', async () => {
    const strict = await startTestServer({ settings: { stepUp: { recentLoginSeconds: 120 } } });
    try {
      const { client } = await signedInUser(strict);
      strict.clock.advance(121_000);
      expectStepUp(await client.post('/auth/api-keys', { name: 'k' }), { maxAge: 120 });
    } finally {
      await strict.stop();
    }
  });
});
