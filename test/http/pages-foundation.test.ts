import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { csrfFieldOf, openPage, submitForm } from '../helpers/pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const sessionCookieSet = (headers: Headers) =>
  headers
    .getSetCookie()
    .some((line) => line.startsWith('__Host-gh_session=') && !/Max-Age=0/i.test(line));

describe('the pages area', () => {
  it('sends a visitor from / to /login and a signed-in person to /account', async () => {
    const anonymous = await openPage(new Client(server.url), '/');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login');
    const { client } = await signedInUser(server);
    const signedIn = await openPage(client, '/');
    expect(signedIn.headers.get('location')).toBe('/account');
  });

  it('has its own strict CSP, with a fresh nonce on each page and on its script tags', async () => {
    const client = new Client(server.url);
    const first = await openPage(client, '/login');
    const second = await openPage(client, '/login');
    const csp = first.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const nonce = /script-src 'nonce-([0-9a-f]+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(second.headers.get('content-security-policy')).not.toContain(nonce);
    const scripts = [...first.text.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(first.text).not.toMatch(/\son[a-z]+=/i); // no inline handler
    expect(first.text).not.toMatch(/\sstyle=/i);
  });

  it('keeps the API as it was: problem+json, its own CSP, JSON bodies only', async () => {
    const client = new Client(server.url);
    const api = await client.get('/auth/me');
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
    const form = await client.request('POST', '/auth/login', {
      body: `email=a%40example.com&password=${encodeURIComponent(strongPassword)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });

  it('answers an unknown address with a page to a browser and a problem to anything else', async () => {
    const client = new Client(server.url);
    const page = await openPage(client, '/no/such/page');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('There is no page at this address.');
    const api = await client.get('/no/such/page');
    expect(api.status).toBe(404);
    expect(api.body).toMatchObject({ code: 'not_found' });
  });

  it('serves its assets by hashed name, cached for good, and nothing else under /assets', async () => {
    const client = new Client(server.url);
    const html = (await openPage(client, '/login')).text;
    const stylesheet = /href="(\/assets\/style-[0-9a-f]{12}\.css)"/.exec(html)?.[1] ?? '';
    const script = /src="(\/assets\/passkey-sign-in-[A-Z0-9]+\.js)"/.exec(html)?.[1] ?? '';
    const css = await client.get(stylesheet);
    expect(css.status).toBe(200);
    expect(css.headers.get('cache-control')).toContain('immutable');
    expect(css.text).toContain('--accent: #2563eb');
    const js = await client.get(script);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    for (const probe of [
      '/assets/../package.json',
      '/assets/%2e%2e%2fpackage.json',
      '/assets/style.css',
    ])
      expect((await client.get(probe)).status).toBe(404);
  });
});

describe('forms and CSRF', () => {
  it('signs in through the form and goes where return_to says, on this site only', async () => {
    const { email, password } = await signedInUser(server);
    const client = new Client(server.url);
    const ok = await submitForm(
      client,
      '/login',
      { email, password, return_to: '/account/sessions' },
      { from: '/login' },
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/account/sessions');
    expect(sessionCookieSet(ok.headers)).toBe(true);
    const evil = await submitForm(
      new Client(server.url),
      '/login',
      { email, password, return_to: '//evil.example/x' },
      { from: '/login' },
    );
    expect(evil.headers.get('location')).toBe('/account');
  });

  it('shows a wrong password on the form, keeping the email and never the password', async () => {
    const { email } = await signedInUser(server);
    const client = new Client(server.url);
    const wrong = await submitForm(client, '/login', {
      email,
      password: 'not the password at all',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('The email or password is not right.');
    expect(wrong.text).toContain(`value="${email}"`);
    expect(wrong.text).not.toContain('not the password at all');
    expect(sessionCookieSet(wrong.headers)).toBe(false);
  });

  it('refuses a sign-in post without the pre-session token, or with one that is not its cookie', async () => {
    const { email, password } = await signedInUser(server);
    // The attacker's own valid token, posted from the victim's browser (login CSRF).
    const attacker = new Client(server.url);
    const attackersToken = csrfFieldOf((await openPage(attacker, '/login')).text);
    const victim = new Client(server.url);
    await openPage(victim, '/login'); // the victim has a form cookie of their own
    for (const csrf of [null, '', attackersToken, 'forged.token']) {
      const answer = await submitForm(victim, '/login', { email, password }, { csrf });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toContain('text/html');
      expect(answer.text).toContain('This form has expired');
      expect(sessionCookieSet(answer.headers)).toBe(false);
    }
    const noCookie = new Client(server.url);
    const withoutCookie = await submitForm(
      noCookie,
      '/login',
      { email, password },
      { csrf: attackersToken },
    );
    expect(withoutCookie.status).toBe(403);
  });

  it('refuses a cross-site form post before reading it', async () => {
    const { email, password } = await signedInUser(server);
    const client = new Client(server.url);
    const csrf = csrfFieldOf((await openPage(client, '/login')).text);
    const answer = await client.request('POST', '/login', {
      body: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'cross-site',
        accept: 'text/html',
      },
      manualRedirect: true,
    });
    expect(answer.status).toBe(403);
    expect(sessionCookieSet(answer.headers)).toBe(false);
  });

  it("signs out only with the session's token in the form", async () => {
    const { client } = await signedInUser(server);
    const denied = await submitForm(client, '/logout', {}, { csrf: null });
    expect(denied.status).toBe(403);
    expect((await client.get('/auth/me')).status).toBe(200);
    const out = await submitForm(client, '/logout', {}, { from: '/no-such-page-but-has-nav' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login?notice=signed_out');
    expect((await client.get('/auth/me')).status).toBe(401);
  });

  it('opens no page for a bearer token or API key: pages know the session cookie only', async () => {
    const login = await new Client(server.url).post<{ accessToken: string }>('/auth/login', {
      ...(await signedInUser(server).then(({ email, password }) => ({ email, password }))),
      refreshTokenDelivery: 'body',
    });
    const bearer = new Client(server.url);
    const answer = await bearer.get('/', {
      headers: { authorization: `Bearer ${login.body.accessToken}`, accept: 'text/html' },
      manualRedirect: true,
    });
    expect(answer.headers.get('location')).toBe('/login');
  });

  it('answers bad form input with the form again, and an oversized body with a page, never a 500', async () => {
    const client = new Client(server.url);
    const bad = await submitForm(client, '/login', { email: 'not an email', password: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('aria-invalid="true"');
    const csrf = csrfFieldOf((await openPage(client, '/login')).text);
    const huge = await client.request('POST', '/login', {
      body: new URLSearchParams({
        email: 'a@b.co',
        password: 'x'.repeat(70_000),
        _csrf: csrf,
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      manualRedirect: true,
    });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toContain('text/html');
    expect(huge.text).not.toMatch(/at .*\.ts:\d+/); // no stack
  });
});

describe('with the pages turned off', () => {
  it('serves the API alone', async () => {
    const bare = await startTestServer({ settings: { pages: { enabled: false } } });
    try {
      const client = new Client(bare.url);
      expect((await openPage(client, '/login')).status).toBe(404);
      expect((await client.get('/auth/me')).status).toBe(401);
      expect((await client.get('/nope')).body).toMatchObject({ code: 'not_found' });
    } finally {
      await bare.stop();
    }
  });
});
