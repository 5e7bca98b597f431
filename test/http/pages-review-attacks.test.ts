import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/authn/account/registration.js';
import { replaceRoles } from '../../src/authn/admin.js';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { codeNow } from '../helpers/mfa.js';
import { openRedirects } from '../helpers/open-redirects.js';
import { csrfFieldOf, openPage, submitForm } from '../helpers/pages.js';
import { insertTestPasskey } from '../helpers/passkeys.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// The reviewer's attacks on the pages built on the foundation and on the admin JSON routes.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const meta = { ip: null, userAgent: 'test' };
const MARKUP = '<img src=x onerror=alert(1)>';
const ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';
const signedIn = async (client: Client) => (await client.get('/auth/me')).status === 200;

/** Signs in over the JSON API with a chosen User-Agent, so the session row carries it. */
async function signInWithAgent(email: string, userAgent: string): Promise<Client> {
  const client = new Client(server.url);
  const login = await client.post<{ csrfToken: string }>(
    '/auth/login',
    { email, password: strongPassword },
    { headers: { 'user-agent': userAgent } },
  );
  expect(login.status).toBe(200);
  client.csrfToken = login.body.csrfToken;
  return client;
}

describe('privilege: the console follows the admin as they are now', () => {
  it('an admin whose role is taken away loses every admin page and action on the next request', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const target = await signedInUser(server);
    const csrf = csrfFieldOf((await openPage(admin.client, `/admin/user/${target.userId}`)).text);
    await replaceRoles(server.core, admin.userId, [], { actorId: admin.userId }, meta);

    for (const path of ['/admin', `/admin/user/${target.userId}`, '/admin/events']) {
      expect((await openPage(admin.client, path)).status, path).toBe(403);
    }
    const ban = await submitForm(admin.client, `/admin/user/${target.userId}/ban`, {}, { csrf });
    expect(ban.status).toBe(403);
    expect(await signedIn(target.client)).toBe(true);
    expect((await admin.client.get(`/admin/users/${target.userId}`)).status).toBe(403);
  });

  it('a session that must first enrol a second factor opens no admin page and bans nobody', async () => {
    const strict = await startTestServer({ settings: { mfa: { requiredForRoles: ['admin'] } } });
    try {
      const admin = await signedInUser(strict, { roles: ['admin'] });
      const target = await signedInUser(strict);
      for (const path of [
        '/admin',
        `/admin/user/${target.userId}`,
        '/admin/events',
        '/admin/policy',
        `/admin/explain?user=${encodeURIComponent(target.email)}&action=users:manage`,
      ]) {
        const page = await openPage(admin.client, path);
        expect(page.status, path).toBe(303);
        expect(page.headers.get('location'), path).toBe('/account/security');
      }
      const csrf = csrfFieldOf((await openPage(admin.client, '/account/security')).text);
      for (const action of ['ban', 'roles', 'revoke-sessions', 'reset-factors']) {
        const answer = await submitForm(
          admin.client,
          `/admin/user/${target.userId}/${action}`,
          { reason: 'x', role_admin: 'on' },
          { csrf },
        );
        expect(answer.status, action).toBe(303);
        expect(answer.headers.get('location'), action).toBe('/account/security');
      }
      expect(await signedIn(target.client)).toBe(true);
      const me = await target.client.get<{ user: { roles: string[] } }>('/auth/me');
      expect(me.body.user.roles).toEqual([]);
      // The JSON twins refuse the same session.
      expect((await admin.client.get('/admin/users')).status).toBe(403);
      expect((await admin.client.get('/authz/policy')).status).toBe(403);
    } finally {
      await strict.stop();
    }
  });
});

describe('CSRF on the admin forms', () => {
  it("ban and roles without the field, or with another session's token, change nothing", async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const other = await signedInUser(server);
    const target = await signedInUser(server);
    const foreign = csrfFieldOf((await openPage(other.client, '/account')).text);
    for (const csrf of [null, foreign, '']) {
      const ban = await submitForm(admin.client, `/admin/user/${target.userId}/ban`, {}, { csrf });
      expect(ban.status).toBe(403);
      const roles = await submitForm(
        admin.client,
        `/admin/user/${target.userId}/roles`,
        { role_admin: 'on' },
        { csrf },
      );
      expect(roles.status).toBe(403);
    }
    expect(await signedIn(target.client)).toBe(true);
    const me = await target.client.get<{ user: { roles: string[] } }>('/auth/me');
    expect(me.body.user.roles).toEqual([]);
  });
});

describe('XSS: what users wrote is text on the admin and account pages', () => {
  it('a user agent, a passkey name and an API key name with markup are escaped everywhere they show', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const email = uniqueEmail('xss');
    const user = await register(server.core, { email, password: strongPassword }, meta);
    const victim = await signInWithAgent(email, MARKUP);
    await insertTestPasskey(server, user.id, { name: MARKUP });
    const key = await victim.post('/auth/api-keys', { name: MARKUP });
    expect(key.status).toBe(201);

    const pages = [
      [admin.client, `/admin/user/${user.id}`],
      [admin.client, `/admin/events?userId=${user.id}`],
      [victim, '/account/sessions'],
      [victim, '/account/security'],
      [victim, '/account/api-keys'],
    ] as const;
    for (const [client, path] of pages) {
      const page = await openPage(client, path);
      expect(page.status, path).toBe(200);
      expect(page.text, path).not.toContain(MARKUP);
      expect(page.text, path).toContain(ESCAPED);
    }
  });
});

describe('CSV injection in /admin/audit.csv', () => {
  it('a user agent that a spreadsheet would run is defused in the export', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const email = uniqueEmail('csv');
    const user = await register(server.core, { email, password: strongPassword }, meta);
    const formulas = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-1+1', '@SUM(A1)', '\t=1'];
    for (const agent of formulas) await signInWithAgent(email, agent);
    const csv = await admin.client.get(`/admin/audit.csv?userId=${user.id}&type=login`);
    expect(csv.status).toBe(200);
    const cells = csv.text.split(/,|\r\n/).map((cell) => cell.replace(/^"|"$/g, ''));
    for (const cell of cells) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(csv.text).toContain(`'=HYPERLINK`);
  });
});

describe('secrets are shown once, and only to their owner', () => {
  it('an API key made on the page is in that answer only: not in the list, the account or the admin pages', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const { client, userId } = await signedInUser(server);
    const made = await submitForm(client, '/account/api-keys', { name: 'ci' });
    expect(made.status).toBe(200);
    const key = /data-api-key="">\s*([^<\s]+)\s*</.exec(made.text)?.[1] ?? '';
    expect(key).toMatch(/^gth_/);
    for (const path of [
      '/account/api-keys',
      '/account',
      '/account/security',
      '/account/sessions',
    ]) {
      expect((await openPage(client, path)).text, path).not.toContain(key);
    }
    for (const path of [`/admin/user/${userId}`, `/admin/events?userId=${userId}`]) {
      expect((await openPage(admin.client, path)).text, path).not.toContain(key);
    }
    const csv = await admin.client.get(`/admin/audit.csv?userId=${userId}`);
    expect(csv.text).not.toContain(key);
  });

  it('the TOTP secret leaves the pages once the app is confirmed', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const { client, userId } = await signedInUser(server);
    const from = { from: '/account/security' };
    const setup = await submitForm(client, '/account/totp/setup', {}, from);
    const secret = /data-totp-secret="">([A-Z2-7]+)</.exec(setup.text)?.[1] ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(16);
    const confirmed = await submitForm(
      client,
      '/account/totp/confirm',
      { code: codeNow(server, secret) },
      from,
    );
    expect(confirmed.status).toBe(303);
    for (const path of ['/account/security', '/account', '/reauthenticate']) {
      expect((await openPage(client, path)).text, path).not.toContain(secret);
    }
    expect((await openPage(admin.client, `/admin/user/${userId}`)).text).not.toContain(secret);
  });
});

describe('enumeration', () => {
  it('sign-up answers an email that has an account as it answers a new one', async () => {
    const taken = (await signedInUser(server)).email;
    const fresh = uniqueEmail('new');
    const answers = [];
    for (const email of [taken, fresh]) {
      const client = new Client(server.url);
      answers.push(
        await submitForm(
          client,
          '/signup',
          { email, password: strongPassword },
          { from: '/signup' },
        ),
      );
    }
    const [known, unknown] = answers;
    expect(known?.status).toBe(unknown?.status);
    expect(known?.headers.get('location')).toBe(unknown?.headers.get('location'));
  });
});

describe('open redirects on the pages that carry return_to', () => {
  it('the passkey hand-over and the email-link form never send anyone off the site', async () => {
    for (const evil of openRedirects) {
      const client = new Client(server.url);
      const handover = await submitForm(
        client,
        '/login/mfa/start',
        { challenge: 'a'.repeat(43), return_to: evil },
        { from: '/login' },
      );
      expect(handover.status, evil).toBe(303);
      expect(handover.headers.get('location'), evil).toMatch(/^\/(?!\/)/);
      expect(handover.headers.get('location'), evil).not.toContain('evil.example');

      const link = await submitForm(
        client,
        '/login/email-link',
        { email: uniqueEmail('link'), return_to: evil },
        { from: '/login/email-link' },
      );
      // A value the text rules refuse (control characters, edge spaces, too long) is the 400 form.
      expect([303, 400, 429], evil).toContain(link.status);
      if (link.status === 400) expect(link.text, evil).not.toContain('evil.example');
      if (link.status === 303) {
        expect(link.headers.get('location'), evil).toMatch(/^\/(?!\/)/);
        expect(link.headers.get('location'), evil).not.toContain('evil.example');
      }
    }
  });
});

describe('the challenge in the passkey data attribute', () => {
  it('is only on the page of the browser holding the challenge cookie, and that page is never cached', async () => {
    const email = uniqueEmail('pk');
    const user = await register(server.core, { email, password: strongPassword }, meta);
    await insertTestPasskey(server, user.id);
    const client = new Client(server.url);
    const login = await submitForm(
      client,
      '/login',
      { email, password: strongPassword },
      { from: '/login' },
    );
    expect(login.headers.get('location')).toMatch(/^\/login\/mfa/);
    const page = await openPage(client, '/login/mfa');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-challenge="');
    expect(page.headers.get('cache-control')).toMatch(/no-store/);
    // Another browser (no challenge cookie) gets no challenge, only the way back to /login.
    const stranger = await openPage(new Client(server.url), '/login/mfa');
    expect(stranger.status).toBe(303);
    expect(stranger.text).not.toContain('data-challenge');
  });
});

describe('429 on the account pages', () => {
  it('a step-up page past the login limit says when to try again (Retry-After), as the API and sign-in pages do', async () => {
    const { client } = await signedInUser(server);
    const csrf = csrfFieldOf((await openPage(client, '/reauthenticate')).text);
    let answer = await submitForm(
      client,
      '/reauthenticate',
      { method: 'password', password: 'not the password at all' },
      { csrf },
    );
    for (let i = 0; i < 12 && answer.status !== 429; i++) {
      answer = await submitForm(
        client,
        '/reauthenticate',
        { method: 'password', password: 'not the password at all' },
        { csrf },
      );
    }
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('the roles form', () => {
  it('a post the form rules refuse (a value too long for a checkbox) saves no role: the 400 page', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const target = await signedInUser(server);
    const answer = await submitForm(
      admin.client,
      `/admin/user/${target.userId}/roles`,
      { role_admin: 'x'.repeat(20) },
      { from: `/admin/user/${target.userId}` },
    );
    expect(answer.status).toBe(400);
    const me = await target.client.get<{ user: { roles: string[] } }>('/auth/me');
    expect(me.body.user.roles).toEqual([]);
  });
});

// FINDING (not fixed, see the report): a ban signs the user out everywhere and a role change can
// make anyone an admin, yet both pass on a stale sign-in, while the weaker "sign out everywhere"
// demands a recent one. Suggested fix: `stepUp: RECENT_LOGIN` on POST /admin/user/:id/{ban,roles}
// and on their JSON twins POST /admin/users/:id/ban and PUT /admin/users/:id/roles.
describe('step-up on the admin actions that lock out or grant', () => {
  it('a stale admin sign-in is sent to /reauthenticate before a ban or a role change, and nothing changes', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const target = await signedInUser(server);
    const from = `/admin/user/${target.userId}`;
    const csrf = csrfFieldOf((await openPage(admin.client, from)).text);
    server.clock.advance(11 * 60_000);
    for (const action of ['ban', 'roles']) {
      const answer = await submitForm(
        admin.client,
        `${from}/${action}`,
        { role_admin: 'on' },
        { csrf },
      );
      expect(answer.status, action).toBe(303);
      expect(answer.headers.get('location'), action).toMatch(/^\/reauthenticate/);
    }
    expect((await admin.client.post(`/admin/users/${target.userId}/ban`, {})).status).toBe(401);
    expect(await signedIn(target.client)).toBe(true);
    const me = await target.client.get<{ user: { roles: string[] } }>('/auth/me');
    expect(me.body.user.roles).toEqual([]);
  });
});
