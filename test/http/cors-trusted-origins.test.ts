import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredUser, signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const TRUSTED = 'https://trusted.example';
const ALSO_TRUSTED = 'http://localhost:5173';
/** Origins one character or one part away from a trusted one, and the opaque `null`. */
const LOOK_ALIKES = [
  'https://trusted.example.evil',
  'https://evil.trusted.example',
  'https://trusted.example:8443',
  'http://trusted.example',
  'https://trusted.examplE',
  'https://trusted.example.',
  'http://localhost:5174',
  'null',
];

let server: TestServer;
let bare: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { trustedOrigins: [TRUSTED, ALSO_TRUSTED] } });
  bare = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
  await bare?.stop();
});

const preflight = (base: string, path: string, origin: string, method = 'POST') =>
  fetch(`${base}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type, x-csrf-token',
    },
  });

function corsHeaderNames(headers: Headers): string[] {
  const names: string[] = [];
  headers.forEach((_value, name) => {
    if (name.startsWith('access-control-')) names.push(name);
  });
  return names;
}

describe('CORS for trustedOrigins', () => {
  it('answers a preflight from a trusted origin: credentials, the routed methods, the CSRF header', async () => {
    for (const origin of [TRUSTED, ALSO_TRUSTED]) {
      const response = await preflight(server.url, '/auth/sessions/revoke-others', origin);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-allow-methods')).toBe('POST');
      const allowed = response.headers.get('access-control-allow-headers')?.split(/,\s*/);
      expect(allowed).toEqual(
        expect.arrayContaining(['content-type', 'x-csrf-token', 'authorization']),
      );
      expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
    }
    // A URL with several methods and a parameter.
    const sessions = await preflight(server.url, '/auth/sessions/abc', TRUSTED, 'DELETE');
    expect(sessions.headers.get('access-control-allow-methods')).toBe('DELETE');
  });

  it('lets a trusted origin sign in, read who it is and make a CSRF-checked change with the cookie', async () => {
    const { email } = await registeredUser(server);
    const crossSite = { origin: TRUSTED, 'sec-fetch-site': 'cross-site' };
    const login = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { ...crossSite, 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: strongPassword }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('access-control-allow-origin')).toBe(TRUSTED);
    expect(login.headers.get('access-control-allow-credentials')).toBe('true');
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');

    const me = await fetch(`${server.url}/auth/me`, { headers: { ...crossSite, cookie } });
    expect(me.status).toBe(200);
    expect(me.headers.get('access-control-allow-origin')).toBe(TRUSTED);
    expect(me.headers.get('vary')).toMatch(/\bOrigin\b/);

    // Trusted is not a CSRF exemption: the cookie still needs the session's token, and the
    // refusal is readable by the trusted script.
    const unsafe = (headers: Record<string, string>) =>
      fetch(`${server.url}/auth/sessions/revoke-others`, {
        method: 'POST',
        headers: { ...crossSite, cookie, ...headers },
      });
    const forged = await unsafe({});
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { code: string }).code).toBe('csrf_failed');
    expect(forged.headers.get('access-control-allow-origin')).toBe(TRUSTED);
    const real = await unsafe({ 'x-csrf-token': csrfToken });
    expect(real.status).toBe(200);
  });

  it('gives a cross-site SPA the bearer path: tokens in the body, no cookie, no CSRF token, a refresh it can read', async () => {
    const { email } = await registeredUser(server);
    const crossSite = { origin: TRUSTED, 'sec-fetch-site': 'cross-site' };
    const login = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { ...crossSite, 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: strongPassword, refreshTokenDelivery: 'body' }),
    });
    expect(login.status).toBe(200);
    // The session cookie is SameSite=Lax: a browser sends it same-site only, so a cross-site
    // SPA cannot count on it; the refresh token is in the body, not in a cookie.
    const session = login.headers.getSetCookie().find((c) => c.startsWith('__Host-gh_session='));
    expect(session).toMatch(/; SameSite=Lax/i);
    expect(session).toMatch(/; Secure/i);
    expect(session).toMatch(/; Path=\//i);
    expect(login.headers.getSetCookie().some((c) => c.startsWith('__Secure-gh_refresh='))).toBe(
      false,
    );
    const tokens = (await login.json()) as { accessToken: string; refreshToken: string };
    expect(tokens.refreshToken).toEqual(expect.any(String));

    const bearer = { ...crossSite, authorization: `Bearer ${tokens.accessToken}` };
    const change = await fetch(`${server.url}/auth/sessions/revoke-others`, {
      method: 'POST',
      headers: bearer,
    });
    expect(change.status).toBe(200);
    expect(change.headers.get('access-control-allow-origin')).toBe(TRUSTED);

    const refreshed = await fetch(`${server.url}/auth/refresh`, {
      method: 'POST',
      headers: { ...crossSite, 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: tokens.refreshToken }),
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('access-control-allow-origin')).toBe(TRUSTED);
    const next = (await refreshed.json()) as { accessToken: string; refreshToken: string };
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    const me = await fetch(`${server.url}/auth/me`, {
      headers: { ...crossSite, authorization: `Bearer ${next.accessToken}` },
    });
    expect(me.status).toBe(200);
  });

  it('gives untrusted and look-alike origins no CORS header and refuses their unsafe requests', async () => {
    const { client, email } = await signedInUser(server);
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    for (const origin of [...LOOK_ALIKES, 'https://evil.example']) {
      const pre = await preflight(server.url, '/auth/login', origin);
      expect(corsHeaderNames(pre.headers), origin).toEqual([]);

      const read = await fetch(`${server.url}/auth/me`, { headers: { origin, cookie } });
      expect(read.status).toBe(200); // the server answers; the browser keeps it from the script
      expect(corsHeaderNames(read.headers), origin).toEqual([]);
      expect(read.headers.get('vary')).toMatch(/\bOrigin\b/);

      const login = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: strongPassword }),
      });
      expect(login.status, origin).toBe(403);
      expect(login.headers.getSetCookie()).toEqual([]);
      expect(corsHeaderNames(login.headers)).toEqual([]);

      const change = await client.post('/auth/sessions/revoke-others', undefined, {
        headers: { origin },
      });
      expect(change.status, origin).toBe(403);
      expect(change.body.code).toBe('csrf_failed');
    }
  });

  it('refuses a cross-site request without an Origin even when origins are trusted', async () => {
    const { client } = await signedInUser(server);
    const response = await client.post('/auth/sessions/revoke-others', undefined, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('csrf_failed');
  });

  it('answers no CORS at all when no origin is trusted', async () => {
    const response = await preflight(bare.url, '/auth/login', TRUSTED);
    expect(corsHeaderNames(response.headers)).toEqual([]);
    const me = await fetch(`${bare.url}/auth/me`, { headers: { origin: TRUSTED } });
    expect(corsHeaderNames(me.headers)).toEqual([]);
    const login = await fetch(`${bare.url}/auth/login`, {
      method: 'POST',
      headers: { origin: TRUSTED, 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: strongPassword }),
    });
    expect(login.status).toBe(403);
  });
});
