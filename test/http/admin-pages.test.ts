import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/authn/account/registration.js';
import { insertUser } from '../../src/store/repositories/users.js';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { passwordStep, totpUser } from '../helpers/mfa.js';
import { openPage, submitForm } from '../helpers/pages.js';
import { insertTestPasskey } from '../helpers/passkeys.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const freshAdmin = () => signedInUser(server, { roles: ['admin'] });
const tagged = () => `p${randomBytes(4).toString('hex')}`;
const create = (email: string) =>
  register(server.core, { email, password: strongPassword }, { ip: null, userAgent: 't' });

/** The hrefs of the links on a page whose text is `text` (entities as the page writes them). */
function linksTo(html: string, rel: string): string[] {
  return [...html.matchAll(new RegExp(`<a href="([^"]+)" rel="${rel}">`, 'g'))].map((m) =>
    (m[1] ?? '').replaceAll('&amp;', '&'),
  );
}
const emailsOn = (html: string, tag: string) =>
  [...html.matchAll(new RegExp(`>(${tag}[^<]*@example\\.com)</a>`, 'g'))].map((m) => m[1]);

describe('admin pages: who may open them', () => {
  const someone = '00000000-0000-0000-0000-000000000000';
  const gets = [
    '/admin',
    `/admin/user/${someone}`,
    '/admin/events',
    '/admin/policy',
    '/admin/explain',
  ];
  const posts = ['ban', 'unban', 'roles', 'revoke-sessions', 'reset-factors'].map(
    (action) => `/admin/user/${someone}/${action}`,
  );

  it('sends a stranger to sign in, and back', async () => {
    for (const path of gets) {
      const answer = await openPage(new Client(server.url), path);
      expect(answer.status, path).toBe(303);
      expect(answer.headers.get('location')).toBe(`/login?return_to=${encodeURIComponent(path)}`);
    }
  });

  it('shows a signed-in person without the permission a 403 page, and changes nothing', async () => {
    const { client } = await signedInUser(server);
    const { userId: target, client: targetClient } = await signedInUser(server);
    for (const path of gets) {
      const answer = await openPage(client, path);
      expect(answer.status, path).toBe(403);
      expect(answer.headers.get('content-type')).toMatch(/text\/html/);
    }
    // A post from someone who is signed in but no admin: refused before the form is read.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await openPage(client, '/nowhere')).text,
    )?.[1];
    for (const path of posts) {
      const own = path.replace(someone, target);
      const answer = await submitForm(
        client,
        own,
        { reason: 'x', role_admin: 'on' },
        { csrf: csrf ?? '' },
      );
      expect(answer.status, own).toBe(403);
    }
    expect((await targetClient.get('/auth/me')).status).toBe(200);
  });
});

describe('the users page', () => {
  it('searches, sorts both ways and walks next and previous pages by their links', async () => {
    const { client: admin } = await freshAdmin();
    const tag = tagged();
    for (let i = 0; i < 55; i++) await create(`${tag}${String(i).padStart(2, '0')}@example.com`);
    const all = Array.from(
      { length: 55 },
      (_, i) => `${tag}${String(i).padStart(2, '0')}@example.com`,
    );

    const first = await openPage(admin, `/admin?q=${tag.toUpperCase()}&sort=email`);
    expect(first.status).toBe(200);
    expect(first.text).toContain(`value="${tag.toUpperCase()}"`);
    expect(emailsOn(first.text, tag)).toEqual(all.slice(0, 50));
    expect(linksTo(first.text, 'prev')).toEqual([]);
    const [nextHref] = linksTo(first.text, 'next');
    expect(nextHref).toContain(`q=${tag.toUpperCase()}`);

    const second = await openPage(admin, nextHref as string);
    expect(emailsOn(second.text, tag)).toEqual(all.slice(50));
    expect(linksTo(second.text, 'next')).toEqual([]);
    const [prevHref] = linksTo(second.text, 'prev');
    const back = await openPage(admin, prevHref as string);
    expect(emailsOn(back.text, tag)).toEqual(all.slice(0, 50));
    expect(linksTo(back.text, 'prev')).toEqual([]);
    expect(linksTo(back.text, 'next')).toHaveLength(1);

    // The email column's header sorts the other way when it is the current sort.
    expect(first.text).toContain('aria-sort="ascending"');
    const sortLink = /<th scope="col" aria-sort="ascending"><a href="([^"]+)"/.exec(
      first.text,
    )?.[1];
    const desc = await openPage(admin, (sortLink ?? '').replaceAll('&amp;', '&'));
    expect(emailsOn(desc.text, tag)).toEqual([...all].reverse().slice(0, 50));
  });

  it('answers a forged cursor with the 400 page, not a 500', async () => {
    const { client: admin } = await freshAdmin();
    for (const query of ['after=bm90LWEtY3Vyc29y', 'before=bm90LWEtY3Vyc29y', 'sort=nope']) {
      const answer = await openPage(admin, `/admin?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/text\/html/);
    }
  });
});

describe("a user's page and its forms", () => {
  it('shows roles, sessions and factors, escapes what users wrote, and bans and unbans by form', async () => {
    const { client: admin } = await freshAdmin();
    const { client, email, userId } = await totpUser(server);
    const page = await openPage(admin, `/admin/user/${userId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(email);
    expect(page.text).toContain('Authenticator app');
    expect(page.text).toContain('127.0.0.1');

    const reason = '<script>alert("x")</script>';
    const ban = await submitForm(
      admin,
      `/admin/user/${userId}/ban`,
      { reason },
      {
        from: `/admin/user/${userId}`,
      },
    );
    expect(ban.status).toBe(303);
    expect(ban.headers.get('location')).toBe(`/admin/user/${userId}?notice=admin_banned`);
    expect((await client.get('/auth/me')).status).toBe(401);
    const banned = await openPage(admin, `/admin/user/${userId}?notice=admin_banned`);
    expect(banned.text).not.toContain(reason);
    expect(banned.text).toContain('&lt;script&gt;');
    expect(banned.text).toContain('role="status"');

    const unban = await submitForm(
      admin,
      `/admin/user/${userId}/unban`,
      {},
      {
        from: `/admin/user/${userId}`,
      },
    );
    expect(unban.headers.get('location')).toBe(`/admin/user/${userId}?notice=admin_unbanned`);
    expect((await passwordStep(server, email, strongPassword)).response.status).toBe(200);
  });

  it('saves roles from the checkboxes', async () => {
    const { client: admin } = await freshAdmin();
    const { client, userId } = await signedInUser(server);
    const from = `/admin/user/${userId}`;
    const saved = await submitForm(admin, `${from}/roles`, { role_admin: 'on' }, { from });
    expect(saved.headers.get('location')).toBe(`${from}?notice=admin_roles_saved`);
    expect((await client.get<{ user: { roles: string[] } }>('/auth/me')).body.user.roles).toEqual([
      'admin',
    ]);
    const forged = await submitForm(admin, `${from}/roles`, { role_superuser: 'on' }, { from });
    expect(forged.status).toBe(400);
    const cleared = await submitForm(admin, `${from}/roles`, {}, { from });
    expect(cleared.status).toBe(303);
    expect((await client.get<{ user: { roles: string[] } }>('/auth/me')).body.user.roles).toEqual(
      [],
    );
  });

  it('signs a user out everywhere and removes their factors by form; without the CSRF field nothing happens', async () => {
    const { client: admin } = await freshAdmin();
    const { client, email, userId } = await totpUser(server);
    const from = `/admin/user/${userId}`;
    for (const action of ['revoke-sessions', 'reset-factors']) {
      const refused = await submitForm(admin, `${from}/${action}`, {}, { csrf: null });
      expect(refused.status).toBe(403);
    }
    expect((await client.get('/auth/me')).status).toBe(200);
    expect((await passwordStep(server, email, strongPassword)).response.body.mfaRequired).toBe(
      true,
    );

    const revoked = await submitForm(admin, `${from}/revoke-sessions`, {}, { from });
    expect(revoked.headers.get('location')).toBe(`${from}?notice=admin_sessions_revoked`);
    expect((await client.get('/auth/me')).status).toBe(401);
    const reset = await submitForm(admin, `${from}/reset-factors`, {}, { from });
    expect(reset.headers.get('location')).toBe(`${from}?notice=admin_factors_reset`);
    const after = await passwordStep(server, email, strongPassword);
    expect(after.response.body.mfaRequired).toBeUndefined();
    expect(after.response.body.csrfToken).toEqual(expect.any(String));
  });

  it('keeps the factors of an account without a password, saying why (409)', async () => {
    const { client: admin } = await freshAdmin();
    const user = await server.core.store.db
      .transaction()
      .execute((trx) =>
        insertUser(trx, { email: uniqueEmail('pk'), passwordHash: null, now: server.clock.now() }),
      );
    await insertTestPasskey(server, user.id);
    const from = `/admin/user/${user.id}`;
    const answer = await submitForm(admin, `${from}/reset-factors`, {}, { from });
    expect(answer.status).toBe(409);
    expect(answer.text).toContain('role="alert"');
    expect(answer.text).toContain('Test passkey');
  });

  it('sends an admin whose sign-in is old to sign in again before a lockout action', async () => {
    const { client: admin } = await freshAdmin();
    const { client, userId } = await signedInUser(server);
    const from = `/admin/user/${userId}`;
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await openPage(admin, from)).text)?.[1] ?? '';
    server.clock.advance(11 * 60_000);
    const answer = await submitForm(admin, `${from}/revoke-sessions`, {}, { csrf });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toMatch(/^\/reauthenticate/);
    expect((await client.get('/auth/me')).status).toBe(200);
  });
});

describe('the audit log, policy and explain pages', () => {
  it('filters events, links the CSV export with the same filters, and pages older events', async () => {
    const { client: admin } = await freshAdmin();
    const { email, userId } = await signedInUser(server);
    for (let i = 0; i < 3; i++)
      await new Client(server.url).post('/auth/login', { email, password: 'wrong password' });
    const page = await openPage(admin, `/admin/events?userId=${userId}&outcome=failure&type=login`);
    expect(page.status).toBe(200);
    expect(page.text.match(/<td>login<\/td>/g)).toHaveLength(3);
    expect(page.text).toContain(
      `href="/admin/audit.csv?userId=${userId}&amp;type=login&amp;outcome=failure"`,
    );
    const csv = await admin.get(`/admin/audit.csv?userId=${userId}&type=login&outcome=failure`);
    expect(csv.text.trim().split('\r\n')).toHaveLength(4);
    const none = await openPage(admin, `/admin/events?userId=${userId}&from=2099-01-01T00:00`);
    expect(none.text).toContain('No event matches.');
    expect((await openPage(admin, '/admin/events?from=yesterday')).status).toBe(400);
  });

  it('shows the policy read-only as JSON', async () => {
    const { client: admin } = await freshAdmin();
    const page = await openPage(admin, '/admin/policy');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<pre><code>\{\n {2}&quot;version&quot;: 1,/);
    expect(page.text).toContain('&quot;users:manage&quot;');
  });

  it('explains for a user picked by email what /authz/check tells them', async () => {
    const { client: admin } = await freshAdmin();
    const { client, email } = await signedInUser(server);
    const own = await client.post<{ allowed: boolean; reason: string }>('/authz/check', {
      action: 'users:manage',
      resource: { type: 'users' },
    });
    const page = await openPage(
      admin,
      `/admin/explain?user=${encodeURIComponent(email.toUpperCase())}&action=users:manage`,
    );
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Reason: ${own.body.reason}`);
    expect(page.text).toContain(own.body.allowed ? 'Allowed' : 'Denied');
    const adminAnswer = await openPage(
      admin,
      `/admin/explain?user=${encodeURIComponent((await freshAdmin()).email)}&action=users:manage`,
    );
    expect(adminAnswer.text).toContain('Reason: role:admin');
    const unknown = await openPage(
      admin,
      '/admin/explain?user=nobody@example.com&action=users:manage',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('There is no user with this email or ID.');
    const bad = await openPage(
      admin,
      `/admin/explain?user=${encodeURIComponent(email)}&action=users:manage&attributes=oops`,
    );
    expect(bad.status).toBe(400);
  });
});
