import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute } from '../../src/http/route.js';
import { strongPassword, uniqueEmail } from './accounts.js';
import { Client } from './client.js';
import { closeServer, type EmbeddedGatehouse, embeddedGatehouse, listen } from './embedded.js';

export const TRUSTED_ORIGIN = 'https://spa.example';

/** Gatehouse's own guard, for comparison: the principal its pipeline hands a route. */
const principalRoute = defineRoute({
  method: 'GET',
  url: '/embed-test/principal',
  access: 'authenticated',
  summary: 'The caller as Gatehouse’s guards see it (tests only)',
  handler: async ({ principal }) => ({ principal }),
});

/**
 * The app every framework builds around Gatehouse, the same routes in each:
 * - Gatehouse mounted at the root of the app's server,
 * - `GET /api/whoami`: getSession → 200 `{principal}` or 401,
 * - `POST /api/notes` `{text}`: getSession (CSRF for cookies) → 201 `{by, text}`, 401, or
 *   the problem of problemFor,
 * - `GET /api/hello` and `POST /api/echo` (the app's own body parser): no Gatehouse involved,
 * - anything else: the framework's own 404.
 */
export type BuildApp = (gatehouse: EmbeddedGatehouse) => Server;

interface Principalish {
  userId: string;
  via: string;
}

/** One suite, run against every framework that mounts Gatehouse. */
export function embedSuite(framework: string, build: BuildApp): void {
  describe(`Gatehouse mounted in ${framework}`, () => {
    let gatehouse: EmbeddedGatehouse;
    let server: Server;
    let url: string;
    beforeAll(async () => {
      gatehouse = await embeddedGatehouse({
        routes: [principalRoute],
        settings: { trustedOrigins: [TRUSTED_ORIGIN] },
      });
      server = build(gatehouse);
      url = await listen(server);
    });
    afterAll(async () => {
      if (server) await closeServer(server);
      await gatehouse?.stop();
    });

    /** Signs up and in through the mounted API: a cookie client with its CSRF and access tokens. */
    async function signUpAndIn() {
      const client = new Client(url);
      const email = uniqueEmail(framework.toLowerCase());
      const register = await client.post('/auth/register', { email, password: strongPassword });
      expect(register.status, register.text).toBe(201);
      const login = await client.post<{ csrfToken: string; accessToken: string }>('/auth/login', {
        email,
        password: strongPassword,
      });
      expect(login.status, login.text).toBe(200);
      client.csrfToken = login.body.csrfToken;
      return { client, accessToken: login.body.accessToken };
    }

    const asGatehouseSees = async (headers: Record<string, string>) => {
      const response = await fetch(`${url}/embed-test/principal`, { headers });
      expect(response.status).toBe(200);
      return ((await response.json()) as { principal: Principalish }).principal;
    };
    const asAppSees = async (headers: Record<string, string>) =>
      fetch(`${url}/api/whoami`, { headers });

    it('signs up and in through the mount, and the app sees the same principal as Gatehouse for a cookie, a bearer token and an API key', async () => {
      const { client, accessToken } = await signUpAndIn();
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const created = await client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
        name: 'embed',
      });
      expect(created.status, created.text).toBe(201);
      const key = created.body.apiKey.key;
      const credentials: Array<[string, Record<string, string>]> = [
        ['session', { cookie }],
        ['access_token', { authorization: `Bearer ${accessToken}` }],
        ['api_key', { authorization: `Bearer ${key}` }],
        ['api_key', { 'x-api-key': key }],
      ];
      const me = await client.get<{ user: { id: string } }>('/auth/me');
      for (const [via, headers] of credentials) {
        const response = await asAppSees(headers);
        expect(response.status, via).toBe(200);
        const { principal } = (await response.json()) as { principal: Principalish };
        expect(principal.via).toBe(via);
        expect(principal.userId).toBe(me.body.user.id);
        expect(principal).toEqual(await asGatehouseSees(headers));
      }
    });

    it('answers 401 on the app’s route for no credential, a wrong one, and a signed-out session', async () => {
      expect((await asAppSees({})).status).toBe(401);
      expect((await asAppSees({ authorization: 'Bearer not-a-token' })).status).toBe(401);
      expect((await asAppSees({ 'x-api-key': 'gh_live_nope' })).status).toBe(401);
      const { client } = await signUpAndIn();
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      expect((await asAppSees({ cookie })).status).toBe(200);
      expect((await client.post('/auth/logout')).status).toBe(204);
      expect((await asAppSees({ cookie })).status).toBe(401);
    });

    it('demands the CSRF token and this origin of a cookie on the app’s unsafe route, not of a bearer token', async () => {
      const { client, accessToken } = await signUpAndIn();
      const note = (headers: Record<string, string>, withoutCsrf = false) =>
        client.post('/api/notes', { text: 'hi' }, { headers, withoutCsrf });
      const forged = await note({}, true);
      expect(forged.status).toBe(403);
      expect(forged.body.code).toBe('csrf_failed');
      expect(forged.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const wrong = await note({ 'x-csrf-token': 'x'.repeat(43) }, true);
      expect(wrong.status).toBe(403);
      for (const origin of ['https://evil.example', `${TRUSTED_ORIGIN}.evil`, 'null']) {
        const crossOrigin = await note({ origin });
        expect(crossOrigin.status, origin).toBe(403);
        expect(crossOrigin.body.code).toBe('csrf_failed');
      }
      expect((await note({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      const ok = await note({});
      expect(ok.status, ok.text).toBe(201);
      expect(ok.body).toEqual({ by: expect.any(String), text: 'hi' });
      const fromTrusted = await note({ origin: TRUSTED_ORIGIN, 'sec-fetch-site': 'cross-site' });
      expect(fromTrusted.status).toBe(201);
      // A bearer token is no ambient credential: no CSRF token needed.
      const bearer = await fetch(`${url}/api/notes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'from a script' }),
      });
      expect(bearer.status).toBe(201);
      const anonymous = await fetch(`${url}/api/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"text":"x"}',
      });
      expect(anonymous.status).toBe(401);
    });

    it('leaves the app’s own routes to the app: its body parser, its headers, its 404', async () => {
      const hello = await fetch(`${url}/api/hello`);
      expect(hello.status).toBe(200);
      expect(await hello.text()).toBe('hello from the app');
      // Helmet's headers (Gatehouse's) are not on the app's answers.
      expect(hello.headers.get('content-security-policy')).toBeNull();
      expect(hello.headers.get('x-permitted-cross-domain-policies')).toBeNull();
      expect(hello.headers.get('cache-control')).toBeNull();
      const echo = await fetch(`${url}/api/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: 1, nested: { b: [2] } }),
      });
      expect(echo.status).toBe(200);
      expect(await echo.json()).toEqual({ a: 1, nested: { b: [2] } });
      const missing = await fetch(`${url}/no/such/page`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type') ?? '').not.toMatch(/problem\+json/);
      expect(missing.headers.get('x-permitted-cross-domain-policies')).toBeNull();
      // Gatehouse's own answers keep Gatehouse's headers and formats.
      const page = await fetch(`${url}/login`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toMatch(/nonce-/);
      const jwks = await fetch(`${url}/.well-known/jwks.json`);
      expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    });

    it('answers CORS through the mount for the trusted origin only', async () => {
      const preflight = (origin: string) =>
        fetch(`${url}/auth/login`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
      const trusted = await preflight(TRUSTED_ORIGIN);
      expect(trusted.status).toBe(204);
      expect(trusted.headers.get('access-control-allow-origin')).toBe(TRUSTED_ORIGIN);
      expect(trusted.headers.get('access-control-allow-credentials')).toBe('true');
      for (const origin of [`${TRUSTED_ORIGIN}.evil`, 'http://spa.example', 'null']) {
        const refused = await preflight(origin);
        expect(refused.headers.get('access-control-allow-origin'), origin).toBeNull();
      }
    });
  });
}
