import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { meWith, type TokenUser, tokenUser } from '../helpers/tokens.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const KEY_FORMAT = /^gth_test_[0-9a-f]{16}_[0-9a-f]{72}$/;

interface KeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  key?: string;
}

const createKey = async (owner: TokenUser, body: Record<string, unknown> = { name: 'ci' }) => {
  const response = await owner.client.post<{ apiKey: KeyView & { key: string } }>(
    '/auth/api-keys',
    body,
  );
  expect(response.status).toBe(201);
  return response.body.apiKey;
};

const asKey = (key: string, header: 'bearer' | 'x-api-key' = 'bearer') =>
  meWith(server, header === 'bearer' ? { authorization: `Bearer ${key}` } : { 'x-api-key': key });

describe('API keys', () => {
  it('shows the key once, in a recognisable format; the list never shows a secret', async () => {
    const owner = await tokenUser(server);
    const created = await createKey(owner, { name: 'deploy bot', scopes: ['posts:read'] });
    expect(created.key).toMatch(KEY_FORMAT);
    expect(created.key).toContain(`_${created.id}_`);
    expect(created.name).toBe('deploy bot');
    expect(created.scopes).toEqual(['posts:read']);

    const listed = await owner.client.get<{ apiKeys: KeyView[] }>('/auth/api-keys');
    expect(listed.status).toBe(200);
    expect(listed.body.apiKeys).toHaveLength(1);
    const [view] = listed.body.apiKeys;
    expect(Object.keys(view ?? {}).sort()).toEqual(
      ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'scopes'].sort(),
    );
    expect(view?.id).toBe(created.id);
    const secret = created.key.split('_')[3]?.slice(0, 64) ?? '';
    expect(listed.text).not.toContain(secret);
    expect(listed.text).not.toMatch(/hash/i);
  });

  it('works as Authorization: Bearer and as X-API-Key, and records last use', async () => {
    const owner = await tokenUser(server);
    const { key } = await createKey(owner);
    const viaBearer = await asKey(key, 'bearer');
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body.user).toMatchObject({ id: owner.userId, via: 'api_key' });
    const viaHeader = await asKey(key, 'x-api-key');
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body.user).toMatchObject({ id: owner.userId, via: 'api_key' });
    const listed = await owner.client.get<{ apiKeys: KeyView[] }>('/auth/api-keys');
    expect(listed.body.apiKeys[0]?.lastUsedAt).not.toBeNull();
  });

  it('stores only a hash: no column holds the key or its secret', async () => {
    const owner = await tokenUser(server);
    const { id, key } = await createKey(owner);
    const secret = key.split('_')[3]?.slice(0, 64) ?? '';
    expect(secret).toHaveLength(64);
    const row = await server.core.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    for (const value of Object.values(row)) {
      const text = String(value);
      expect(text).not.toBe(key);
      expect(text).not.toBe(secret);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(0, 32));
    }
  });

  it('refuses a key with one changed character (checksum), a malformed one, a revoked one', async () => {
    const owner = await tokenUser(server);
    const { id, key } = await createKey(owner);
    expect((await asKey(key)).status).toBe(200);

    const at = key.length - 20; // inside the secret
    const typo = key.slice(0, at) + (key[at] === '0' ? '1' : '0') + key.slice(at + 1);
    for (const bad of [
      typo,
      key.slice(0, -1),
      `${key}0`,
      'gth_test_abc',
      'gth_',
      key.toUpperCase(),
    ]) {
      const response = await asKey(bad);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBeTruthy();
      expect((await asKey(bad, 'x-api-key')).status).toBe(401);
    }

    expect((await owner.client.delete(`/auth/api-keys/${id}`)).status).toBe(204);
    expect((await asKey(key)).status).toBe(401);
    expect((await asKey(key, 'x-api-key')).status).toBe(401);
    const listed = await owner.client.get<{ apiKeys: KeyView[] }>('/auth/api-keys');
    expect(listed.body.apiKeys.map((k) => k.id)).not.toContain(id);
  });

  it('refuses an expired key (clock moved past expiresAt)', async () => {
    const owner = await tokenUser(server);
    const expiresAt = new Date(server.clock.now() + 60 * 60_000).toISOString();
    const { key } = await createKey(owner, { name: 'short-lived', expiresAt });
    expect((await asKey(key)).status).toBe(200);
    server.clock.advance(61 * 60_000);
    expect((await asKey(key)).status).toBe(401);

    const fresh = await tokenUser(server);
    const past = await fresh.client.post('/auth/api-keys', {
      name: 'already expired',
      expiresAt: new Date(server.clock.now() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);
  });

  it('narrows the owner to the key’s scopes: an admin’s posts:read key gets 403 on /admin/users', async () => {
    const owner = await tokenUser(server, { roles: ['admin'] });
    const scoped = await createKey(owner, { name: 'reader', scopes: ['posts:read'] });
    const unscoped = await createKey(owner, { name: 'full' });
    const auth = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

    const denied = await owner.client.get('/admin/users', {
      ...auth(scoped.key),
      headers: { ...auth(scoped.key).headers, cookie: '' },
    });
    expect(denied.status).toBe(403);
    const viaHeader = await meWith(server, { 'x-api-key': scoped.key });
    expect(viaHeader.status).toBe(200);
    const allowed = await owner.client.get('/admin/users', {
      headers: { ...auth(unscoped.key).headers, cookie: '' },
    });
    expect(allowed.status).toBe(200);
  });

  it('cannot manage the account: a leaked key mints no keys, ends no sessions, changes no password', async () => {
    const owner = await tokenUser(server, { roles: ['admin'] });
    const { id, key } = await createKey(owner, { name: 'full' });
    const asKeyOnly = {
      headers: { authorization: `Bearer ${key}`, cookie: '' },
      withoutCsrf: true,
    };
    const attempts = [
      await owner.client.post('/auth/api-keys', { name: 'escalate' }, asKeyOnly),
      await owner.client.get('/auth/api-keys', asKeyOnly),
      await owner.client.delete(`/auth/api-keys/${id}`, asKeyOnly),
      await owner.client.get('/auth/sessions', asKeyOnly),
      await owner.client.post('/auth/sessions/revoke-others', undefined, asKeyOnly),
      await owner.client.post(
        '/auth/password/change',
        { currentPassword: 'whatever it is now', newPassword: 'a brand new passphrase here' },
        asKeyOnly,
      ),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(403);
      expect(attempt.body.code).toBe('forbidden');
    }
    // The session is untouched and the key still works for what it may do.
    expect((await owner.client.get('/auth/me')).status).toBe(200);
    expect((await asKey(key)).status).toBe(200);
  });

  it('answers 404 for another user’s key id on DELETE and leaves the key working', async () => {
    const owner = await tokenUser(server);
    const stranger = await tokenUser(server);
    const { id, key } = await createKey(owner);
    const attempt = await stranger.client.delete(`/auth/api-keys/${id}`);
    expect(attempt.status).toBe(404);
    expect((await stranger.client.delete('/auth/api-keys/0000000000000000')).status).toBe(404);
    expect((await asKey(key)).status).toBe(200);
  });
});
