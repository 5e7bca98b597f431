import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterFirstFactor } from '../../src/authn/login/flow.js';
import { findUserByEmail } from '../../src/store/repositories/users.js';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import { enrolTotp, mailFor } from '../helpers/mfa.js';
import { outbox } from '../helpers/outbox.js';
import { csrfFieldOf, openPage, submitForm } from '../helpers/pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The attacker's pass over the pages foundation (issue 9): CSRF, login CSRF
 * and fixation, open redirects, XSS, headers, error pages, and the mail links.
 * Each test states the defence it would catch missing.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

const SESSION = '__Host-gh_session';
const FORM = '__Host-gh_form';
const CHALLENGE = '__Host-gh_challenge';

const setCookie = (headers: Headers, name: string): string | undefined =>
  headers.getSetCookie().find((line) => line.startsWith(`${name}=`) && !/Max-Age=0/i.test(line));

const cookieHeader = (cookies: Map<string, string>) =>
  [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** The caller of a set of cookies, as the JSON API sees it (null when signed out). */
async function whoIs(cookies: string): Promise<string | null> {
  const me = await new Client(server.url).get<{ user: { email: string } }>('/auth/me', {
    headers: { cookie: cookies },
  });
  return me.status === 200 ? me.body.user.email : null;
}

/** A urlencoded (or other) body posted as a browser page would, without following redirects. */
const post = (
  client: Client,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> =>
  client.request('POST', path, {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
      ...headers,
    },
    withoutCsrf: true,
    manualRedirect: true,
  });

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** Where a Location header leads, read as a browser reads it: must stay on this site. */
function expectLocal(location: string | null): void {
  expect(location, 'a Location header').toBeTruthy();
  const value = location ?? '';
  expect(value.startsWith('/'), value).toBe(true);
  // Only printable ASCII: no control character, no backslash.
  expect(value, 'printable ASCII, no backslash').toMatch(/^[\x20-\x5b\x5d-\x7e]+$/);
  const base = 'https://gatehouse.invalid';
  expect(new URL(value, base).origin, value).toBe(base);
  const returnTo = new URL(value, base).searchParams.get('return_to');
  if (returnTo !== null) {
    // The destination carried along must itself be a path here, the next hop included.
    expect(returnTo.startsWith('/') && !/^\/[/\\]/.test(returnTo), returnTo).toBe(true);
    expect(new URL(returnTo, base).origin, returnTo).toBe(base);
  }
}

/** Spellings of "another site" (and of script) that browsers follow; the unit corpus, over HTTP. */
const offSite = [
  'https://evil.example/',
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/%09/evil.example',
  '/%2F%2Fevil.example',
  '/%2f/evil.example',
  '/%5Cevil.example',
  '/%5c%5cevil.example',
  '/%0d%0aLocation:%20https://evil.example',
  '/\r\nLocation: https://evil.example',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'https:evil.example',
  '@evil.example',
  ' //evil.example',
  '/%00//evil.example',
];

describe('CSRF on page forms', () => {
  it('plants the pre-session cookie as __Host-, HttpOnly, Secure, SameSite, without Domain', async () => {
    const answer = await openPage(new Client(server.url), '/login');
    const line = setCookie(answer.headers, FORM) ?? '';
    expect(line).toMatch(/; Path=\/(;|$)/);
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; Secure/i);
    expect(line).toMatch(/; SameSite=(Lax|Strict)/i);
    expect(line).not.toMatch(/; Domain=/i);
  });

  it('refuses the token of a session that signed out, on the sign-in form', async () => {
    const { email, password } = await signedInUser(server);
    const browser = new Client(server.url);
    const signedIn = await submitForm(browser, '/login', { email, password });
    expect(signedIn.status).toBe(303);
    const oldToken = csrfFieldOf((await openPage(browser, '/no-such-page')).text);
    expect((await submitForm(browser, '/logout', {}, { csrf: oldToken })).status).toBe(303);
    // Signed out, the browser posts the sign-in form with the dead session's token.
    const replay = await submitForm(browser, '/login', { email, password }, { csrf: oldToken });
    expect(replay.status).toBe(403);
    expect(setCookie(replay.headers, SESSION)).toBeUndefined();
  });

  it("refuses a dead session's token on the next session of the same browser", async () => {
    const { email, password } = await signedInUser(server);
    const browser = new Client(server.url);
    await submitForm(browser, '/login', { email, password });
    const firstToken = csrfFieldOf((await openPage(browser, '/no-such-page')).text);
    await submitForm(browser, '/logout', {}, { csrf: firstToken });
    await submitForm(browser, '/login', { email, password });
    const replay = await submitForm(browser, '/logout', {}, { csrf: firstToken });
    expect(replay.status).toBe(403);
    expect(await whoIs(cookieHeader(browser.cookies))).toBe(email);
  });

  it('refuses the pre-session token (with its cookie) on a page that needs the account', async () => {
    const { email, password } = await signedInUser(server);
    const browser = new Client(server.url);
    const preSession = csrfFieldOf((await openPage(browser, '/login')).text);
    expect(browser.cookies.has(FORM)).toBe(true);
    await submitForm(browser, '/login', { email, password }, { csrf: preSession });
    expect(browser.cookies.has(FORM)).toBe(false); // retired by the sign-in
    const out = await submitForm(browser, '/logout', {}, { csrf: preSession });
    expect(out.status).toBe(403);
    expect(await whoIs(cookieHeader(browser.cookies))).toBe(email);
  });

  it("refuses another user's session token in this browser", async () => {
    const victim = await signedInUser(server);
    const attacker = await signedInUser(server);
    const attackersToken = csrfFieldOf((await openPage(attacker.client, '/no-such-page')).text);
    const answer = await submitForm(victim.client, '/logout', {}, { csrf: attackersToken });
    expect(answer.status).toBe(403);
    expect(await whoIs(cookieHeader(victim.client.cookies))).toBe(victim.email);
  });

  it('reads the token from the body only: a token in the query string is refused', async () => {
    const { client, email } = await signedInUser(server);
    const token = csrfFieldOf((await openPage(client, '/no-such-page')).text);
    const answer = await post(client, `/logout?_csrf=${encodeURIComponent(token)}`, '');
    expect(answer.status).toBe(403);
    expect(await whoIs(cookieHeader(client.cookies))).toBe(email);
  });

  it('has no method override and no state change by GET or HEAD', async () => {
    const { client, email } = await signedInUser(server);
    const cookies = cookieHeader(client.cookies);
    const overrides: Record<string, string>[] = [
      { 'x-http-method-override': 'GET' },
      { 'x-http-method': 'GET' },
      { 'x-method-override': 'GET' },
    ];
    for (const headers of overrides)
      expect((await post(client, '/logout', '', headers)).status).toBe(403);
    expect((await post(client, '/logout', form({ _method: 'GET' }))).status).toBe(403);
    expect((await post(client, '/logout?_method=GET', '')).status).toBe(403);
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH']) {
      const answer = await client.request(method, '/logout', {
        headers: { accept: 'text/html' },
        withoutCsrf: true,
        manualRedirect: true,
      });
      expect(answer.status, method).toBe(404);
    }
    expect(await whoIs(cookies)).toBe(email);
  });

  it('takes form bodies only: JSON, text and multipart posts to a page are refused (415), even with a right token', async () => {
    const { email, password } = await signedInUser(server);
    const browser = new Client(server.url);
    const token = csrfFieldOf((await openPage(browser, '/login')).text);
    const fields = { email, password, _csrf: token };
    const bodies: [string, string][] = [
      ['application/json', JSON.stringify(fields)],
      ['text/plain', form(fields)],
      ['text/plain;charset=UTF-8', form(fields)],
      [
        'multipart/form-data; boundary=x',
        Object.entries(fields)
          .map(([k, v]) => `--x\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
          .join('')
          .concat('--x--\r\n'),
      ],
    ];
    for (const [type, body] of bodies) {
      const answer = await post(browser, '/login', body, { 'content-type': type });
      expect(answer.status, type).toBe(415);
      expect(answer.headers.get('content-type'), type).toContain('text/html');
      expect(setCookie(answer.headers, SESSION), type).toBeUndefined();
    }
  });

  it('refuses a JSON sign-out body, whatever token it carries', async () => {
    const { client, email } = await signedInUser(server);
    const token = csrfFieldOf((await openPage(client, '/no-such-page')).text);
    const answer = await post(client, '/logout', JSON.stringify({ _csrf: token }), {
      'content-type': 'application/json',
    });
    expect(answer.status).toBe(415);
    expect(await whoIs(cookieHeader(client.cookies))).toBe(email);
  });
});

describe('Origin and Sec-Fetch-Site on page posts (with publicUrl)', () => {
  const PUBLIC_URL = 'https://auth.example.test';
  let site: TestServer;
  beforeAll(async () => {
    site = await startTestServer({ settings: { publicUrl: PUBLIC_URL } });
  });
  afterAll(async () => site?.stop());

  it('refuses another origin, "null", a sibling subdomain and any cross-site mark; takes its own origin', async () => {
    const { email, password } = await signedInUser(site);
    const refused: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'https://sub.auth.example.test', 'sec-fetch-site': 'same-site' },
      { origin: 'http://auth.example.test' },
      { origin: `${PUBLIC_URL}.evil.example` },
      { origin: PUBLIC_URL, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of refused) {
      const browser = new Client(site.url);
      const token = csrfFieldOf((await openPage(browser, '/login')).text);
      const answer = await post(
        browser,
        '/login',
        form({ email, password, _csrf: token }),
        headers,
      );
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(setCookie(answer.headers, SESSION)).toBeUndefined();
    }
    const browser = new Client(site.url);
    const token = csrfFieldOf((await openPage(browser, '/login')).text);
    const ok = await post(browser, '/login', form({ email, password, _csrf: token }), {
      origin: PUBLIC_URL,
      'sec-fetch-site': 'same-origin',
    });
    expect(ok.status).toBe(303);
  });
});

describe('login CSRF and session fixation', () => {
  it('a sign-in on the page replaces the session: new cookie, the old one dead', async () => {
    const first = await signedInUser(server);
    const second = await signedInUser(server);
    const browser = first.client;
    const before = browser.cookies.get(SESSION);
    expect(before).toBeTruthy();
    // Signed in, the sign-in form (a public page) carries the session's token.
    const again = await submitForm(
      browser,
      '/login',
      { email: second.email, password: second.password },
      { from: '/no-such-page' },
    );
    expect(again.status).toBe(303);
    const after = browser.cookies.get(SESSION);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    expect(await whoIs(`${SESSION}=${before}`)).toBeNull();
    expect(await whoIs(`${SESSION}=${after}`)).toBe(second.email);
  });

  it("a planted session cookie (the attacker's own, or a chosen value) never becomes the victim's session", async () => {
    const attacker = await signedInUser(server);
    const victim = await signedInUser(server);
    const planted = attacker.client.cookies.get(SESSION) ?? '';
    for (const value of [planted, 'attacker-chosen-value-0123456789abcdef']) {
      const browser = new Client(server.url);
      browser.cookies.set(SESSION, value);
      const signedIn = await submitForm(
        browser,
        '/login',
        { email: victim.email, password: victim.password },
        { from: value === planted ? '/no-such-page' : '/login' },
      );
      expect(signedIn.status).toBe(303);
      const issued = browser.cookies.get(SESSION);
      expect(issued).not.toBe(value);
      expect(await whoIs(`${SESSION}=${value}`)).not.toBe(victim.email);
      expect(await whoIs(`${SESSION}=${issued}`)).toBe(victim.email);
    }
  });

  it("refuses a sign-in post carrying the attacker's own cookie value as the token (no cookie of the victim's)", async () => {
    const { email, password } = await signedInUser(server);
    const attacker = new Client(server.url);
    const token = csrfFieldOf((await openPage(attacker, '/login')).text);
    // A victim whose browser never opened the page: the attacker's token alone.
    const victim = new Client(server.url);
    const answer = await post(victim, '/login', form({ email, password, _csrf: token }));
    expect(answer.status).toBe(403);
    // Nor does a forged cookie pair with a matching field pass without the server's MAC.
    const forged = new Client(server.url);
    forged.cookies.set(FORM, 'nonce.mac');
    const withForged = await post(forged, '/login', form({ email, password, _csrf: 'nonce.mac' }));
    expect(withForged.status).toBe(403);
    const extraPart = `${token}.x`;
    const three = new Client(server.url);
    three.cookies.set(FORM, extraPart);
    expect((await post(three, '/login', form({ email, password, _csrf: extraPart }))).status).toBe(
      403,
    );
  });
});

describe('the sign-in form tells nothing about which emails exist', () => {
  const shape = (html: string, email: string) =>
    html
      .replaceAll(email, 'EMAIL')
      .replace(/value="[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+"/g, 'value="TOKEN"')
      .replace(/content="[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+"/g, 'content="TOKEN"')
      .replace(/nonce="[0-9a-f]+"/g, 'nonce="N"');

  it('an unknown email and a wrong password get the same status and the same page', async () => {
    const { email } = await signedInUser(server);
    const unknown = uniqueEmail('nobody');
    const wrong = await submitForm(new Client(server.url), '/login', {
      email,
      password: 'wrong password here',
    });
    const none = await submitForm(new Client(server.url), '/login', {
      email: unknown,
      password: 'wrong password here',
    });
    expect(wrong.status).toBe(401);
    expect(none.status).toBe(401);
    expect(shape(none.text, unknown)).toBe(shape(wrong.text, email));
  });

  it('too many tries get a 429 page with Retry-After, never a 500, for known and unknown emails alike', async () => {
    const limited = await startTestServer({ settings: { rateLimit: { loginPerAccount: 2 } } });
    try {
      const { email } = await signedInUser(limited);
      for (const target of [email, uniqueEmail('limited-nobody')]) {
        const statuses: number[] = [];
        let last: Response | undefined;
        for (let i = 0; i < 3; i += 1) {
          last = await submitForm(new Client(limited.url), '/login', {
            email: target,
            password: 'wrong password here',
          });
          statuses.push(last.status);
        }
        expect(statuses, target).toEqual([401, 401, 429]);
        expect(last?.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
        expect(last?.headers.get('content-type')).toContain('text/html');
      }
    } finally {
      await limited.stop();
    }
  });
});

describe('open redirects', () => {
  it.each(offSite)('GET /login?return_to=%j, signed in, stays on this site', async (target) => {
    const { client } = await signedInUser(server);
    const answer = await openPage(client, `/login?return_to=${encodeURIComponent(target)}`);
    expect(answer.status).toBe(303);
    expectLocal(answer.headers.get('location'));
    expect(answer.headers.get('location')).toBe('/account');
  });

  it('POST /login with each off-site return_to lands on /account; the sign-in form never carries one', async () => {
    const { email, password } = await signedInUser(server);
    for (const target of offSite) {
      const browser = new Client(server.url);
      const page = await openPage(browser, `/login?return_to=${encodeURIComponent(target)}`);
      expect(page.text, target).toContain('name="return_to" value="/account"');
      expect(page.text, target).toContain('data-return-to="/account"');
      expect(page.text).toContain('action="/login"');
      const answer = await submitForm(
        browser,
        `/login?return_to=${encodeURIComponent(target)}`,
        { email, password, return_to: target },
        { csrf: csrfFieldOf(page.text) },
      );
      expect(answer.status, target).toBe(303);
      expect(answer.headers.get('location'), target).toBe('/account');
    }
  });

  it('the redirect to /login after a lost session keeps only a local Referer path, whatever the Referer', async () => {
    const host = new URL(server.url).host;
    const referers: [string, string | null][] = [
      [`http://${host}//evil.example/x`, null],
      [`http://${host}/\\evil.example`, null],
      [`http://${host}/%2F%2Fevil.example`, null],
      [`http://${host}/%5Cevil.example`, null],
      ['https://evil.example/account/sessions', null],
      [`http://${host}.evil.example/account`, null],
      [`http://${host}@evil.example/account`, null],
      ['javascript:alert(1)', null],
      ['not a url', null],
      [`http://${host}/account/sessions?tab=1`, '/account/sessions?tab=1'],
    ];
    for (const [referer, expected] of referers) {
      const stranger = new Client(server.url);
      const answer = await post(stranger, '/logout', '', { referer });
      expect(answer.status, referer).toBe(303);
      const location = answer.headers.get('location');
      expectLocal(location);
      const returnTo = new URL(location ?? '', 'https://x.invalid').searchParams.get('return_to');
      expect(returnTo, referer).toBe(expected);
    }
  });

  it('a crafted Host matching a crafted Referer still yields a local path', async () => {
    const answer = await raw(server, {
      method: 'POST',
      path: '/logout',
      headers: {
        host: 'evil.example',
        referer: 'http://evil.example//evil.example/steal',
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: '',
    });
    expect(answer.status).toBe(303);
    const location = answer.headers.location;
    expectLocal(typeof location === 'string' ? location : null);
  });

  it('answers a header-splitting return_to with a clean 303, never a 500', async () => {
    const { client } = await signedInUser(server);
    for (const target of [
      '/account%0d%0aSet-Cookie:%20x=1',
      '/account\u560a\u560dSet-Cookie: x=1',
    ]) {
      const answer = await openPage(client, `/login?return_to=${encodeURIComponent(target)}`);
      expect(answer.status).toBe(303);
      expect(answer.headers.getSetCookie().some((c) => c.startsWith('x='))).toBe(false);
      expect(answer.headers.get('location')).toMatch(/^[\x21-\x7e]+$/);
    }
  });
});

describe('XSS: every value that reaches the HTML is text', () => {
  const payload = `"><script>alert(1)</script><img src=x onerror=alert(2)>'`;
  const noMarkup = (html: string) => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    // Outside attribute values (where escaped text may say anything), no event handler.
    expect(html.replace(/="[^"]*"/g, '=""')).not.toMatch(/\son[a-z]+=/i);
  };

  it('an echoed email is escaped in the refilled field', async () => {
    const browser = new Client(server.url);
    const answer = await submitForm(browser, '/login', { email: payload, password: 'x' });
    expect(answer.status).toBe(400);
    noMarkup(answer.text);
    expect(answer.text).toContain('value="&quot;&gt;&lt;script&gt;');
  });

  it('return_to never reaches the hidden field, the form action or the data attribute as markup', async () => {
    for (const target of [
      `/account/x${payload}`,
      `/account?x=${payload}`,
      `/account#${payload}`,
      `/account/x" data-evil="1`,
    ]) {
      const page = await openPage(
        new Client(server.url),
        `/login?return_to=${encodeURIComponent(target)}`,
      );
      expect(page.status).toBe(200);
      noMarkup(page.text);
      expect(page.text).not.toContain('" data-evil');
      const returnTo = /name="return_to" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
      expect(returnTo.startsWith('/account')).toBe(true);
      expect(page.text).toContain(`data-return-to="${returnTo}"`);
    }
  });

  it('shows only notices of the catalogue: prototype names and markup show nothing', async () => {
    const client = new Client(server.url);
    for (const notice of [
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'valueOf',
      payload,
    ]) {
      const page = await openPage(client, `/login?notice=${encodeURIComponent(notice)}`);
      expect(page.status, notice).toBe(200);
      expect(page.text, notice).not.toContain('class="notice"');
      noMarkup(page.text);
    }
    for (const query of ['notice[]=signed_out', 'notice[a]=b', 'notice=signed_out&notice=x']) {
      const page = await openPage(client, `/login?${query}`);
      expect(page.status, query).toBeLessThan(500);
      expect(page.text).not.toContain('function');
    }
    const known = await openPage(client, '/login?notice=signed_out');
    expect(known.text).toContain('<p class="notice" role="status">You are signed out.</p>');
  });

  it('a 404 for a crafted path echoes nothing of it', async () => {
    for (const path of [
      '/%3Cscript%3Ealert(1)%3C/script%3E',
      `/${encodeURIComponent(payload)}`,
      '/x%22%3E%3Csvg%20onload=alert(1)%3E',
    ]) {
      const page = await openPage(new Client(server.url), path);
      expect(page.status, path).toBe(404);
      noMarkup(page.text);
      expect(page.text).not.toMatch(/<svg/i);
      expect(page.text).not.toContain('alert(');
    }
  });

  it('branding (product name and logo URL from settings) is escaped, and the CSP names only the logo origin', async () => {
    const branded = await startTestServer({
      settings: {
        branding: {
          productName: `<script>alert(1)</script> & "Co"`,
          logoUrl: `https://cdn.example/logo.png?a="><script>alert(2)</script>`,
        },
      },
    });
    try {
      const page = await openPage(new Client(branded.url), '/login');
      expect(page.status).toBe(200);
      noMarkup(page.text);
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; ');
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("img-src 'self' https://cdn.example;");
    } finally {
      await branded.stop();
    }
  });

  it('a logo URL whose host holds CSP syntax cannot add a directive to the CSP', async () => {
    let started: TestServer | undefined;
    try {
      started = await startTestServer({
        settings: { branding: { logoUrl: 'https://cdn.example;script-src-elem/logo.png' } },
      });
    } catch (error) {
      // Refusing the setting at start-up is a fine answer.
      expect(String(error)).toMatch(/logoUrl|branding/);
      return;
    }
    try {
      const page = await openPage(new Client(started.url), '/login');
      const csp = page.headers.get('content-security-policy') ?? '';
      const directives = csp.split(';').map((d) => d.trim().split(/\s+/)[0]);
      expect(directives).not.toContain('script-src-elem');
    } finally {
      await started.stop();
    }
  });
});

/** The headers every answer of the pages area must carry, whatever it is. */
function expectPageHeaders(
  answer: { headers: Headers; text: string } | RawAnswer,
  label: string,
): void {
  const get = (name: string): string =>
    'text' in answer
      ? (answer.headers.get(name) ?? '')
      : String((answer as RawAnswer).headers[name] ?? '');
  const csp = get('content-security-policy');
  expect(csp, `${label}: CSP`).toContain("frame-ancestors 'none'");
  expect(csp, `${label}: CSP`).toMatch(/default-src '(self|none)'/);
  expect(csp, `${label}: CSP`).not.toContain('unsafe-inline');
  expect(csp, `${label}: CSP`).not.toContain('unsafe-eval');
  expect(get('x-frame-options'), `${label}: X-Frame-Options`).toMatch(/^(DENY|SAMEORIGIN)$/);
  expect(get('x-content-type-options'), `${label}: nosniff`).toBe('nosniff');
}

describe('headers on every answer of the pages area', () => {
  it('pages, redirects, form errors, CSRF refusals, 404s, 413s and assets all carry the CSP, frame and sniffing rules', async () => {
    const client = new Client(server.url);
    const login = await openPage(client, '/login');
    expectPageHeaders(login, 'login page');
    expectPageHeaders(await openPage(client, '/'), 'redirect from /');
    expectPageHeaders(await submitForm(client, '/login', { email: 'x', password: '' }), '400 form');
    expectPageHeaders(
      await submitForm(client, '/login', { email: 'a@b.co', password: 'x' }, { csrf: null }),
      '403 CSRF',
    );
    expectPageHeaders(await openPage(client, '/no/such/page'), '404 page');
    expectPageHeaders(await client.get('/no/such/page'), '404 problem');
    const huge = await post(client, '/login', form({ password: 'x'.repeat(70_000) }));
    expect(huge.status).toBe(413);
    expectPageHeaders(huge, '413');
    const stylesheet = /href="(\/assets\/style-[0-9a-f]{12}\.css)"/.exec(login.text)?.[1] ?? '';
    const script = /src="(\/assets\/passkey-sign-in-[A-Za-z0-9]+\.js)"/.exec(login.text)?.[1] ?? '';
    const css = await client.get(stylesheet);
    expectPageHeaders(css, 'stylesheet');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const js = await client.get(script);
    expectPageHeaders(js, 'script');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('pages are never cached and send no Referer off-site (mailed tokens ride in page URLs)', async () => {
    const client = new Client(server.url);
    for (const path of ['/login', '/login?token=secret-token-in-url', '/no/such/page', '/']) {
      const answer = await openPage(client, path);
      expect(answer.headers.get('cache-control'), path).toContain('no-store');
      expect(answer.headers.get('referrer-policy'), path).toMatch(
        /^(same-origin|no-referrer|strict-origin)$/,
      );
    }
  });

  it('/assets serves the manifest files only', async () => {
    const client = new Client(server.url);
    for (const name of [
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'manifest.json',
      'passkey-sign-in.js',
      'passkey-sign-in.ts',
      'style.css',
      '..%2Fpackage.json',
      '..%2F..%2Fpackage.json',
      '%2e%2e%2f%2e%2e%2fpackage.json',
      '..%5Cpackage.json',
      '.%2Fstyle.css',
      '%00',
      '',
    ]) {
      for (const accept of ['text/html', '*/*']) {
        const answer = await client.get(`/assets/${name}`, { headers: { accept } });
        expect(answer.status, `${name} (${accept})`).toBe(404);
        expect(answer.text).not.toContain('"name": "gatehouse"');
      }
    }
  });
});

describe('error pages', () => {
  it('a fault of ours is a 500 page with a reference and nothing of the fault; the log has the reference', async () => {
    const faulty = await startTestServer();
    try {
      const { email, password } = await signedInUser(faulty);
      const browser = new Client(faulty.url);
      const token = csrfFieldOf((await openPage(browser, '/login')).text);
      const store = faulty.core.store as { db: unknown };
      const db = store.db;
      store.db = new Proxy(db as object, {
        get() {
          throw new Error('SECRET-connection-string postgres://admin:hunter2@db/gatehouse');
        },
      });
      let answer: Response;
      try {
        answer = await post(browser, '/login', form({ email, password, _csrf: token }));
      } finally {
        store.db = db;
      }
      expect(answer.status).toBe(500);
      expect(answer.headers.get('content-type')).toContain('text/html');
      expect(answer.text).not.toContain('SECRET');
      expect(answer.text).not.toContain('hunter2');
      expect(answer.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
      expect(answer.text).not.toContain('Error:');
      const reference = /Reference: ([0-9a-f]{16})/.exec(answer.text)?.[1];
      expect(reference).toBeTruthy();
      // The reference is the request's id: its header, and every log line of the request.
      expect(answer.headers.get('x-request-id')).toBe(reference);
      expect(faulty.logs.some((line) => line.includes(`"reference":"${reference}"`))).toBe(true);
      expect(faulty.logs.some((line) => line.includes(`"reqId":"${reference}"`))).toBe(true);
      expectPageHeaders(answer, '500 page');
    } finally {
      await faulty.stop();
    }
  });

  it('a refusal (4xx) has no reference', async () => {
    const client = new Client(server.url);
    for (const answer of [
      await openPage(client, '/nope'),
      await submitForm(client, '/login', { email: 'a@b.co', password: 'x' }, { csrf: null }),
      await openPage(client, '/login?return_to=a&return_to=b'),
    ]) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.text).not.toContain('Reference:');
    }
  });
});

describe('fuzzing the page routes', () => {
  const queries = [
    'return_to[]=x',
    'return_to[a]=b',
    'return_to=a&return_to=b',
    'return_to=%00',
    'return_to=%',
    'return_to=%E0%A4%A',
    `return_to=${'a'.repeat(3000)}`,
    `return_to=/${'%2F'.repeat(1000)}`,
    'notice[]=x',
    '__proto__[x]=1',
    'constructor[prototype][x]=1',
    'a=%ZZ',
    '&&&==&=',
    `x=${'y'.repeat(6000)}`,
  ];
  const bodies = (token: string): [string, string][] => [
    ['application/x-www-form-urlencoded', ''],
    [
      'application/x-www-form-urlencoded',
      `_csrf[]=${token}&_csrf[]=${token}&email=a@b.co&password=x`,
    ],
    ['application/x-www-form-urlencoded', `_csrf[x]=${token}&email=a@b.co&password=x`],
    ['application/x-www-form-urlencoded', `_csrf=${token}&email[]=a@b.co&password[x]=y`],
    ['application/x-www-form-urlencoded', `_csrf=${token}&__proto__[x]=1&email=a@b.co&password=x`],
    ['application/x-www-form-urlencoded', `_csrf=${token}&constructor=1&toString=2&password=x`],
    ['application/x-www-form-urlencoded', `_csrf=${token}&email=a%00@b.co&password=%00`],
    ['application/x-www-form-urlencoded', `_csrf=${token}&email=%&password=%ZZ`],
    [
      'application/x-www-form-urlencoded',
      `_csrf=${token}&email=${'a'.repeat(300)}@b.co&password=x`,
    ],
    [
      'application/x-www-form-urlencoded',
      `_csrf=${token}&return_to=%0d%0a&email=a@b.co&password=x`,
    ],
    ['application/x-www-form-urlencoded', `_csrf=${'x'.repeat(5000)}`],
    ['application/x-www-form-urlencoded', '=&=&=&'],
    ['application/x-www-form-urlencoded; charset=utf-16', `_csrf=${token}`],
    ['application/x-www-form-urlencoded;;;', `_csrf=${token}`],
    ['application/x-www-form-urlencoded', '\u0000\u0001\uffff'],
    ['application/json', '{'],
    ['application/json', 'null'],
    ['application/json', '[]'],
    ['application/json', '"text"'],
    ['application/json', '{"__proto__":{"x":1}}'],
    ['application/json', `{"_csrf":{"toString":"${token}"}}`],
    ['text/plain', 'hello'],
    ['application/xml', '<a/>'],
    ['multipart/form-data', 'x'],
    ['', 'x'],
  ];

  it('answers every odd query and body with a 4xx (or the page), never a 5xx, as HTML', async () => {
    const { client } = await signedInUser(server);
    const clients = [new Client(server.url), client];
    for (const browser of clients) {
      for (const query of queries) {
        for (const path of ['/', '/login']) {
          const answer = await openPage(browser, `${path}?${query}`);
          expect(answer.status, `GET ${path}?${query}`).toBeLessThan(500);
          if (answer.status >= 400)
            expect(answer.headers.get('content-type'), query).toContain('text/html');
        }
      }
      const from = browser === client ? '/no-such-page' : '/login';
      const token = csrfFieldOf((await openPage(browser, from)).text);
      for (const path of ['/login', '/logout', `/login?${queries[0]}`]) {
        for (const [type, body] of bodies(token)) {
          const answer = await post(browser, path, body, type ? { 'content-type': type } : {});
          expect(answer.status, `POST ${path} ${type} ${body.slice(0, 60)}`).toBeLessThan(500);
          expect(answer.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
        }
      }
    }
  });

  it('answers odd cookies with a page, never a 5xx', async () => {
    for (const cookie of [
      `${SESSION}=%00`,
      `${SESSION}=%`,
      `${SESSION}=${'a'.repeat(4000)}`,
      `${FORM}=%ZZ`,
      `${FORM}=.`,
      `${FORM}=a.b.c`,
      `${FORM}=${'.'.repeat(100)}`,
      `${CHALLENGE}=%00`,
      `${SESSION}=a; ${SESSION}=b`,
    ]) {
      const browser = new Client(server.url);
      const page = await browser.get('/login', {
        headers: { accept: 'text/html', cookie },
        manualRedirect: true,
      });
      expect(page.status, cookie).toBeLessThan(500);
      const posted = await browser.request('POST', '/login', {
        body: form({ _csrf: 'a.b', email: 'a@b.co', password: 'x' }),
        headers: {
          accept: 'text/html',
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
        },
        withoutCsrf: true,
        manualRedirect: true,
      });
      expect(posted.status, cookie).toBeLessThan(500);
    }
  });
});

describe('requireVerifiedEmail on the sign-in page', () => {
  let open: TestServer;
  let strict: TestServer;
  beforeAll(async () => {
    open = await startTestServer();
    strict = await startTestServer({ shareWith: open, settings: { requireVerifiedEmail: true } });
  });
  afterAll(async () => {
    await strict?.stop();
    await open?.stop();
  });

  async function unverified() {
    const email = uniqueEmail('unverified-page');
    const created = await new Client(strict.url).post('/auth/register', {
      email,
      password: strongPassword,
    });
    expect(created.status).toBe(201);
    return email;
  }

  it('refuses an unverified account with a page in words, no session and no challenge cookie', async () => {
    const email = await unverified();
    const browser = new Client(strict.url);
    const answer = await submitForm(browser, '/login', { email, password: strongPassword });
    expect(answer.status).toBe(403);
    expect(setCookie(answer.headers, SESSION)).toBeUndefined();
    expect(setCookie(answer.headers, CHALLENGE)).toBeUndefined();
    expect(answer.text).not.toContain(strongPassword);
  });

  it('refuses an unverified account with a second factor before any challenge cookie', async () => {
    const { client, email, password, userId } = await signedInUser(open);
    await enrolTotp(open, client);
    const answer = await submitForm(new Client(strict.url), '/login', { email, password });
    expect(answer.status).toBe(403);
    expect(setCookie(answer.headers, CHALLENGE)).toBeUndefined();
    const challenges = await open.core.store.db
      .selectFrom('login_challenges')
      .select('id')
      .where('user_id', '=', userId)
      .execute();
    expect(challenges).toEqual([]);
  });

  it('a passkey-shaped first step (multi-factor by itself, skipping the second step) is refused too', async () => {
    const email = await unverified();
    const user = await findUserByEmail(strict.core.store.db, email);
    if (!user) throw new Error('no user');
    for (const amr of [['hwk', 'user'], ['hwk'], ['swk', 'user'], ['pwd']])
      await expect(
        afterFirstFactor(strict.core, user, { amr }, { ip: null, userAgent: 'test' }),
      ).rejects.toMatchObject({ code: 'email_not_verified' });
  });
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with headers fetch will not let us set (Host). */
function raw(
  target: TestServer,
  options: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  const { port } = new URL(target.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method,
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body ?? '');
  });
}

describe('mail links never follow the Host header', () => {
  const PUBLIC_URL = 'https://auth.example.test';
  const poison = {
    host: 'evil.example',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'https',
    forwarded: 'host=evil.example;proto=https',
    'content-type': 'application/json',
  };

  async function mailedLinks(target: TestServer, email: string): Promise<string[]> {
    await target.core.background.drain();
    return (await outbox(target, email)).flatMap((mail) => [
      ...(mail.text.match(/https?:\/\/[^\s"<>]+/g) ?? []),
      ...[...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] ?? ''),
    ]);
  }

  for (const [label, settings] of [
    ['with publicUrl, behind a trusted proxy', { publicUrl: PUBLIC_URL, trustProxy: true }],
    ['without publicUrl (development)', { trustProxy: true }],
  ] as const) {
    it(`registration, resend, forgot-password and magic-link mails link ${label} to the configured origin`, async () => {
      const target = await startTestServer({ settings });
      try {
        const expected =
          'publicUrl' in settings ? PUBLIC_URL : `http://localhost:${target.core.settings.port}`;
        const email = uniqueEmail('poison');
        const send = (path: string, json: unknown) =>
          raw(target, { method: 'POST', path, headers: poison, body: JSON.stringify(json) });
        expect((await send('/auth/register', { email, password: strongPassword })).status).toBe(
          201,
        );
        expect((await send('/auth/email/verify/resend', { email })).status).toBe(202);
        expect((await send('/auth/password/forgot', { email })).status).toBe(202);
        expect((await send('/auth/magic-link', { email })).status).toBe(202);
        await mailFor(target, email, /sign-in link/);
        const links = await mailedLinks(target, email);
        expect(links.length).toBeGreaterThanOrEqual(8);
        for (const link of links) {
          expect(link).not.toContain('evil.example');
          expect(new URL(link).origin, link).toBe(expected);
        }
      } finally {
        await target.stop();
      }
    });
  }
});

describe('resend: one budget per address, whatever its spelling or the claimed source', () => {
  it('charges Victim@Example.com and victim@example.com to one address', async () => {
    const limited = await startTestServer({
      settings: { rateLimit: { verifyEmailPerAccount: 2, loginPerIp: 100 } },
    });
    try {
      const email = uniqueEmail('spelling');
      const [local, domain] = email.split('@');
      const spellings = [email, email.toUpperCase(), `${local?.toUpperCase()}@${domain}`];
      const answers = [];
      for (const spelling of spellings)
        answers.push(
          await new Client(limited.url).post('/auth/email/verify/resend', { email: spelling }),
        );
      expect(answers.map((a) => a.status)).toEqual([202, 202, 429]);
    } finally {
      await limited.stop();
    }
  });

  it('an X-Forwarded-For that no proxy vouches for does not buy a fresh source budget', async () => {
    const limited = await startTestServer({
      settings: { rateLimit: { verifyEmailPerAccount: 100, loginPerIp: 2 } },
    });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i += 1)
        statuses.push(
          (
            await new Client(limited.url).post(
              '/auth/email/verify/resend',
              { email: uniqueEmail('xff') },
              { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } },
            )
          ).status,
        );
      expect(statuses).toEqual([202, 202, 429]);
    } finally {
      await limited.stop();
    }
  });
});
