import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { openPage, submitForm } from '../helpers/pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const me = (client: Client) => client.get('/auth/me').then((r) => r.status);

/** A second signed-in client of the same account (another browser). */
async function anotherSession(email: string, password = strongPassword): Promise<Client> {
  const client = new Client(server.url);
  const login = await client.post<{ csrfToken: string }>('/auth/login', { email, password });
  expect(login.status).toBe(200);
  client.csrfToken = login.body.csrfToken;
  return client;
}

interface SessionView {
  id: string;
  current: boolean;
}
const sessionsOf = async (client: Client) =>
  (await client.get<{ sessions: SessionView[] }>('/auth/sessions')).body.sessions;

describe('the profile page', () => {
  it('sends a visitor to sign in and back', async () => {
    const visitor = new Client(server.url);
    expect((await openPage(visitor, '/account')).headers.get('location')).toBe('/login');
    const deeper = await openPage(visitor, '/account/sessions');
    expect(deeper.status).toBe(303);
    expect(deeper.headers.get('location')).toBe('/login?return_to=%2Faccount%2Fsessions');
  });

  it('shows the email (unverified, with the resend link), the roles and links to every section', async () => {
    const { client, email } = await signedInUser(server, { roles: ['admin'] });
    const page = await openPage(client, '/account');
    expect(page.status).toBe(200);
    expect(page.text).toContain(email);
    expect(page.text).toContain('Not verified');
    expect(page.text).toContain('href="/verify-email/resend"');
    expect(page.text).toContain('admin');
    for (const href of [
      '/account/password',
      '/account/sessions',
      '/account/security',
      '/account/api-keys',
    ])
      expect(page.text).toContain(`href="${href}"`);
    // No email field: the address is shown, not editable.
    expect(page.text).not.toContain('name="email"');
  });
});

describe('the password page', () => {
  it('changes the password, keeps this session and signs out every other one', async () => {
    const { client, email, password } = await signedInUser(server);
    const other = await anotherSession(email);
    const form = await openPage(client, '/account/password');
    expect(form.text).toContain('signs out every other session');
    const newPassword = 'a brand new passphrase for the pages 7';
    const done = await submitForm(client, '/account/password', {
      currentPassword: password,
      newPassword,
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account?notice=password_changed');
    expect(await me(client)).toBe(200);
    expect(await me(other)).toBe(401);
    const notice = await openPage(client, '/account?notice=password_changed');
    expect(notice.text).toContain('Your password is changed');
    expect(
      (await new Client(server.url).post('/auth/login', { email, password: newPassword })).status,
    ).toBe(200);
  });

  it('refuses a post without the CSRF field, and the password stays', async () => {
    const { client, email, password } = await signedInUser(server);
    for (const csrf of [null, 'forged']) {
      const denied = await submitForm(
        client,
        '/account/password',
        { currentPassword: password, newPassword: 'another long passphrase 12345' },
        { csrf },
      );
      expect(denied.status).toBe(403);
    }
    expect((await new Client(server.url).post('/auth/login', { email, password })).status).toBe(
      200,
    );
  });

  it('shows a wrong current password, a weak new one and empty fields on the form, never echoing them', async () => {
    const { client, email, password } = await signedInUser(server);
    const wrong = await submitForm(client, '/account/password', {
      currentPassword: 'not my password at all',
      newPassword: 'another long passphrase 12345',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('The current password is not right.');
    expect(wrong.text).not.toContain('not my password at all');
    const weak = await submitForm(client, '/account/password', {
      currentPassword: password,
      newPassword: 'short',
    });
    expect(weak.status).toBe(400);
    expect(weak.text).toMatch(/Password must be at least \d+ characters/);
    expect(weak.text).toContain('aria-invalid="true"');
    expect(weak.text).not.toContain(password);
    const empty = await submitForm(client, '/account/password', {
      currentPassword: '',
      newPassword: '',
    });
    expect(empty.status).toBe(400);
    expect((await new Client(server.url).post('/auth/login', { email, password })).status).toBe(
      200,
    );
  });
});

describe('the sessions page', () => {
  it('lists the sessions with device and place, this one marked and without a sign-out button', async () => {
    const { client, email } = await signedInUser(server);
    const other = await anotherSession(email);
    const [mine] = (await sessionsOf(client)).filter((s) => s.current);
    const [theirs] = (await sessionsOf(other)).filter((s) => s.current);
    const page = await openPage(client, '/account/sessions');
    expect(page.status).toBe(200);
    expect(page.text).toContain('This session');
    expect(page.text).toContain('127.0.0.1');
    expect(page.text).toContain(`action="/account/sessions/${theirs?.id}/revoke"`);
    expect(page.text).not.toContain(`action="/account/sessions/${mine?.id}/revoke"`);
  });

  it("signs one session out: that client's next call is 401, this one goes on", async () => {
    const { client, email } = await signedInUser(server);
    const other = await anotherSession(email);
    const [theirs] = (await sessionsOf(other)).filter((s) => s.current);
    const done = await submitForm(
      client,
      `/account/sessions/${theirs?.id}/revoke`,
      {},
      { from: '/account/sessions' },
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account/sessions?notice=session_revoked');
    expect(await me(other)).toBe(401);
    expect(await me(client)).toBe(200);
  });

  it("answers another user's session id with 404, and that session lives on", async () => {
    const attacker = await signedInUser(server);
    const victim = await signedInUser(server);
    const [victims] = await sessionsOf(victim.client);
    const answer = await submitForm(
      attacker.client,
      `/account/sessions/${victims?.id}/revoke`,
      {},
      { from: '/account/sessions' },
    );
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(await me(victim.client)).toBe(200);
  });

  it('refuses a revoke without the CSRF field, and a malformed id with 400', async () => {
    const { client, email } = await signedInUser(server);
    const other = await anotherSession(email);
    const [theirs] = (await sessionsOf(other)).filter((s) => s.current);
    const denied = await submitForm(
      client,
      `/account/sessions/${theirs?.id}/revoke`,
      {},
      { csrf: null },
    );
    expect(denied.status).toBe(403);
    const others = await submitForm(client, '/account/sessions/revoke-others', {}, { csrf: null });
    expect(others.status).toBe(403);
    expect(await me(other)).toBe(200);
    const bad = await submitForm(
      client,
      '/account/sessions/not%20an%20id!/revoke',
      {},
      { from: '/account/sessions' },
    );
    expect(bad.status).toBe(400);
    expect(await me(other)).toBe(200);
  });

  it('signs out every other session and keeps this one', async () => {
    const { client, email } = await signedInUser(server);
    const others = [await anotherSession(email), await anotherSession(email)];
    const done = await submitForm(
      client,
      '/account/sessions/revoke-others',
      {},
      { from: '/account/sessions' },
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account/sessions?notice=sessions_revoked');
    for (const other of others) expect(await me(other)).toBe(401);
    expect(await me(client)).toBe(200);
    expect((await openPage(client, '/account/sessions')).text).toContain('No other session.');
  });
});

describe('the API keys page', () => {
  const keyOf = (html: string) => /data-api-key="">([^<]+)</.exec(html)?.[1] ?? '';
  const withKey = (key: string) =>
    new Client(server.url).get('/auth/me', { headers: { 'x-api-key': key } });

  it('creates a key shown once: it works, and the list never shows it again', async () => {
    const { client } = await signedInUser(server);
    const created = await submitForm(client, '/account/api-keys', {
      name: 'deploy bot',
      scopes: '',
    });
    expect(created.status).toBe(200);
    const key = keyOf(created.text);
    expect(key).toMatch(/^gth_/);
    expect(created.text).toContain('shows it once');
    expect((await withKey(key)).status).toBe(200);
    const list = await openPage(client, '/account/api-keys');
    expect(list.text).toContain('deploy bot');
    expect(list.text).not.toContain(key);
    const reload = await openPage(client, '/account/api-keys');
    expect(reload.text).not.toContain(key);
  });

  it('keeps the scopes asked for, and refuses malformed ones and an empty name with the form', async () => {
    const { client } = await signedInUser(server);
    const scoped = await submitForm(client, '/account/api-keys', {
      name: 'reader',
      scopes: 'orders:read  posts:read',
    });
    expect(scoped.status).toBe(200);
    const listed = await client.get<{ apiKeys: { name: string; scopes: string[] | null }[] }>(
      '/auth/api-keys',
    );
    expect(listed.body.apiKeys.find((k) => k.name === 'reader')?.scopes).toEqual([
      'orders:read',
      'posts:read',
    ]);
    const badScopes = await submitForm(client, '/account/api-keys', {
      name: 'bad',
      scopes: 'everything!',
    });
    expect(badScopes.status).toBe(400);
    expect(badScopes.text).toContain('Scopes look like resource:action');
    expect(badScopes.text).toContain('value="bad"');
    const noName = await submitForm(client, '/account/api-keys', { name: '' });
    expect(noName.status).toBe(400);
    const after = await client.get<{ apiKeys: unknown[] }>('/auth/api-keys');
    expect(after.body.apiKeys).toHaveLength(1);
  });

  it('creates nothing without the CSRF field', async () => {
    const { client } = await signedInUser(server);
    const denied = await submitForm(
      client,
      '/account/api-keys',
      { name: 'sneaky' },
      { csrf: null },
    );
    expect(denied.status).toBe(403);
    expect((await client.get<{ apiKeys: unknown[] }>('/auth/api-keys')).body.apiKeys).toEqual([]);
  });

  it("revokes a key (it stops working), answers another user's key with 404 and leaves it working", async () => {
    const owner = await signedInUser(server);
    const attacker = await signedInUser(server);
    const key = keyOf((await submitForm(owner.client, '/account/api-keys', { name: 'mine' })).text);
    const [listed] = (await owner.client.get<{ apiKeys: { id: string }[] }>('/auth/api-keys')).body
      .apiKeys;
    const path = `/account/api-keys/${listed?.id}/revoke`;
    const foreign = await submitForm(attacker.client, path, {}, { from: '/account/api-keys' });
    expect(foreign.status).toBe(404);
    expect((await withKey(key)).status).toBe(200);
    const noCsrf = await submitForm(owner.client, path, {}, { csrf: null });
    expect(noCsrf.status).toBe(403);
    expect((await withKey(key)).status).toBe(200);
    const revoked = await submitForm(owner.client, path, {}, { from: '/account/api-keys' });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('location')).toBe('/account/api-keys?notice=api_key_revoked');
    expect((await withKey(key)).status).toBe(401);
  });
});
