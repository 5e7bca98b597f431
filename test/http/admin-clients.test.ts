/**
 * The admin console's apps page (/admin/clients): the OpenID Provider's
 * clients listed, registered (secret shown once) and deleted by an admin,
 * through the pages as a browser posts them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listClients } from '../../src/provider/clients.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { openPage, submitForm } from '../helpers/pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    settings: {
      provider: {
        resourceServers: [{ audience: 'https://api.example', scopes: ['reports:read'] }],
      },
    },
  });
});
afterAll(async () => server.stop());

const freshAdmin = async () => (await signedInUser(server, { roles: ['admin'] })).client;
const unique = () => `App ${Math.random().toString(36).slice(2, 10)}`;

/** A client-credentials token request with this id and secret: 200 when they open the token endpoint. */
async function tokenStatus(clientId: string, secret: string): Promise<number> {
  const response = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials&scope=reports%3Aread',
  });
  return response.status;
}

const created = (html: string) => ({
  clientId: /<dd><code>(client_[^<]+)<\/code><\/dd>/.exec(html)?.[1],
  secret: /<p class="secret" data-client-secret="">([^<]+)<\/p>/.exec(html)?.[1],
});

const webApp = (name: string): Record<string, string> => ({
  name,
  type: 'confidential',
  redirect_uris: 'https://billing.example/callback\r\nhttp://localhost:3001/callback',
  grant_authorization_code: 'on',
  grant_refresh_token: 'on',
  scope: 'openid email roles',
  trusted: 'on',
  post_logout_redirect_uris: 'https://billing.example/',
});

describe('the apps page: who may use it', () => {
  it('sends a stranger to sign in, and refuses someone who is not an admin', async () => {
    const stranger = await openPage(new Client(server.url), '/admin/clients');
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get('location')).toBe('/login?return_to=%2Fadmin%2Fclients');

    const { client } = await signedInUser(server);
    expect((await openPage(client, '/admin/clients')).status).toBe(403);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await openPage(client, '/nowhere')).text,
    )?.[1];
    const before = (await listClients(server.core)).length;
    const post = await submitForm(client, '/admin/clients', webApp('Sneaky'), { csrf: csrf ?? '' });
    expect(post.status).toBe(403);
    expect(await listClients(server.core)).toHaveLength(before);
  });

  it('links the page from the admin navigation', async () => {
    const page = await openPage(await freshAdmin(), '/admin');
    expect(page.text).toContain('<a href="/admin/clients">Apps</a>');
  });
});

describe('registering and deleting an app', () => {
  it('registers a web app, shows its secret once, lists it without it, and deletes it after a confirmation', async () => {
    const { client: admin, userId: adminId } = await signedInUser(server, { roles: ['admin'] });
    const form = await openPage(admin, '/admin/clients');
    expect(form.status).toBe(200);
    // A fresh form is the usual web app: code and refresh grants checked.
    expect(form.text).toMatch(/name="grant_authorization_code" value="on" checked/);
    expect(form.text).not.toMatch(/name="grant_client_credentials" value="on" checked/);

    const name = unique();
    const answer = await submitForm(admin, '/admin/clients', webApp(name));
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Copy the client secret now');
    const { clientId, secret } = created(answer.text);
    expect(clientId).toMatch(/^client_/);
    expect(secret?.length).toBeGreaterThanOrEqual(32);
    expect(answer.headers.get('cache-control')).toBe('no-store');

    const stored = (await listClients(server.core)).find((c) => c.clientId === clientId);
    expect(stored).toMatchObject({
      name,
      public: false,
      trusted: true,
      redirectUris: ['https://billing.example/callback', 'http://localhost:3001/callback'],
      grants: ['authorization_code', 'refresh_token'],
      scope: 'openid email roles',
    });

    const list = await openPage(admin, '/admin/clients');
    expect(list.text).toContain(name);
    expect(list.text).toContain(`<code>${clientId}</code>`);
    expect(list.text).toContain('<code>https://billing.example/callback</code>');
    expect(list.text).toContain('authorization_code, refresh_token');
    expect(list.text).not.toContain(secret);

    const confirm = await openPage(admin, `/admin/clients/${clientId}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain(`Delete ${name}?`);
    expect((await listClients(server.core)).map((c) => c.clientId)).toContain(clientId);
    const deleted = await submitForm(admin, `/admin/clients/${clientId}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/admin/clients?notice=admin_client_deleted');
    expect((await listClients(server.core)).map((c) => c.clientId)).not.toContain(clientId);
    expect((await openPage(admin, `/admin/clients/${clientId}/delete`)).status).toBe(404);

    // Both are in the audit log, with the admin who did them.
    for (const type of ['client_registered', 'client_deleted']) {
      const events = await openPage(admin, `/admin/events?type=${type}`);
      expect(events.text, type).toContain(clientId);
      expect(events.text, type).toContain(adminId);
    }
  });

  it('registers a machine client whose secret opens the token endpoint until it is deleted', async () => {
    const admin = await freshAdmin();
    const answer = await submitForm(admin, '/admin/clients', {
      name: unique(),
      type: 'confidential',
      grant_client_credentials: 'on',
      scope: 'reports:read',
    });
    expect(answer.status).toBe(200);
    const { clientId, secret } = created(answer.text);
    expect(await tokenStatus(clientId ?? '', secret ?? '')).toBe(200);
    expect(await tokenStatus(clientId ?? '', `${secret}x`)).toBe(401);
    await submitForm(admin, `/admin/clients/${clientId}/delete`, {}, { from: '/admin/clients' });
    expect(await tokenStatus(clientId ?? '', secret ?? '')).toBe(401);
  });

  it('registers a public app without a secret', async () => {
    const admin = await freshAdmin();
    const answer = await submitForm(admin, '/admin/clients', {
      name: unique(),
      type: 'public',
      redirect_uris: 'http://127.0.0.1:5173/callback',
      grant_authorization_code: 'on',
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('This app has no secret');
    const { clientId, secret } = created(answer.text);
    expect(secret).toBeUndefined();
    const stored = (await listClients(server.core)).find((c) => c.clientId === clientId);
    expect(stored).toMatchObject({ public: true, grants: ['authorization_code'] });
    expect((await openPage(admin, '/admin/clients')).text).toMatch(
      new RegExp(`${clientId}</code></td><td>Public</td>`),
    );
  });

  it('refuses bad metadata with the reason, keeps what was typed, and registers nothing', async () => {
    const admin = await freshAdmin();
    const before = (await listClients(server.core)).length;
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ...webApp('Plain'), redirect_uris: 'http://billing.example/cb' }, /must use https/],
      [{ ...webApp('Frag'), redirect_uris: 'https://billing.example/cb#x' }, /fragment/],
      [{ ...webApp('NoUri'), redirect_uris: '' }, /at least one redirect URI/],
      [
        { name: 'Pub', type: 'public', grant_client_credentials: 'on' },
        /public client cannot use client credentials/,
      ],
      [{ ...webApp('Keys'), jwks: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' }, /public keys only/],
      [{ ...webApp('') }, /Some of what you sent is not valid/],
    ];
    for (const [fields, reason] of cases) {
      const answer = await submitForm(admin, '/admin/clients', fields);
      expect(answer.status, fields.name).toBe(400);
      expect(answer.text, fields.name).toContain('role="alert"');
      expect(answer.text, fields.name).toMatch(reason);
      if (fields.name) expect(answer.text).toContain(`value="${fields.name}"`);
    }
    expect(await listClients(server.core)).toHaveLength(before);
  });

  it('sends an admin whose sign-in is old to sign in again before registering or deleting', async () => {
    const admin = await freshAdmin();
    const fresh = created((await submitForm(admin, '/admin/clients', webApp(unique()))).text);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await openPage(admin, '/admin/clients')).text,
    )?.[1];
    const before = (await listClients(server.core)).length;
    server.clock.advance(11 * 60_000);
    const create = await submitForm(admin, '/admin/clients', webApp(unique()), { csrf });
    expect(create.status).toBe(303);
    expect(create.headers.get('location')).toMatch(/^\/reauthenticate/);
    const remove = await submitForm(admin, `/admin/clients/${fresh.clientId}/delete`, {}, { csrf });
    expect(remove.status).toBe(303);
    expect(remove.headers.get('location')).toMatch(/^\/reauthenticate/);
    expect(await listClients(server.core)).toHaveLength(before);
  });
});

describe('without the OpenID Provider', () => {
  let off: TestServer;
  beforeAll(async () => {
    off = await startTestServer({ settings: { provider: { enabled: false } } });
  });
  afterAll(async () => off.stop());

  it('has no apps page and no link to it', async () => {
    const admin = (await signedInUser(off, { roles: ['admin'] })).client;
    expect((await openPage(admin, '/admin/clients')).status).toBe(404);
    expect((await openPage(admin, '/admin')).text).not.toContain('/admin/clients');
  });
});
