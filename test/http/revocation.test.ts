import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { multiInstance, startInstances } from '../helpers/instances.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  claimsOf,
  logIn,
  meWith,
  meWithToken,
  type RefreshBody,
  type TokenUser,
  tokenUser,
  within,
} from '../helpers/tokens.js';

// A change made on A must reach B (see startInstances).
let a: TestServer;
let b: TestServer;
let admin: TokenUser;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ a, b, admin, stop } = await startInstances());
});
afterAll(async () => stop());

/** Refused by B within 1 s (polling every 50 ms). */
const refusedOnBWithin1s = (request: () => Promise<{ status: number }>) =>
  within(1000, async () => (await request()).status === 401);

describe(`revocation reaches ${multiInstance ? 'a second instance' : 'the instance'} within 1 s`, () => {
  it('ban on A → the existing access token is refused by B', async () => {
    const user = await tokenUser(a);
    const bystander = await tokenUser(a);
    // B has verified (and cached) both tokens before the ban.
    expect((await meWithToken(b, user.accessToken)).status).toBe(200);
    expect((await meWithToken(b, bystander.accessToken)).status).toBe(200);

    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
    expect(await refusedOnBWithin1s(() => meWithToken(b, user.accessToken))).toBe(true);
    expect((await meWithToken(a, user.accessToken)).status).toBe(401);
    expect((await meWithToken(b, bystander.accessToken)).status).toBe(200);
  });

  it('a session revoked on A → its access token is refused by B', async () => {
    const user = await tokenUser(a);
    const other = await logIn(a, user.email, user.password);
    expect((await meWithToken(b, other.accessToken)).status).toBe(200);

    const sid = String(claimsOf(other.accessToken).sid);
    expect((await user.client.delete(`/auth/sessions/${sid}`)).status).toBe(204);
    expect(await refusedOnBWithin1s(() => meWithToken(b, other.accessToken))).toBe(true);
    // The session that did the revoking keeps working on B.
    expect((await meWithToken(b, user.accessToken)).status).toBe(200);
  });

  it('an API key revoked on A → refused by B, which had cached it', async () => {
    const user = await tokenUser(a);
    const created = await user.client.post<{ apiKey: { id: string; key: string } }>(
      '/auth/api-keys',
      { name: 'ci' },
    );
    expect(created.status).toBe(201);
    const { id, key } = created.body.apiKey;
    expect((await meWith(b, { 'x-api-key': key })).status).toBe(200);
    expect((await meWith(b, { 'x-api-key': key })).status).toBe(200);

    expect((await user.client.delete(`/auth/api-keys/${id}`)).status).toBe(204);
    expect(await refusedOnBWithin1s(() => meWith(b, { 'x-api-key': key }))).toBe(true);
    expect((await meWith(a, { authorization: `Bearer ${key}` })).status).toBe(401);
  });

  it('ban on A → the user’s API key, cached by B, is refused by B', async () => {
    const user = await tokenUser(a);
    const created = await user.client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
      name: 'bot',
    });
    const { key } = created.body.apiKey;
    expect((await meWith(b, { 'x-api-key': key })).status).toBe(200);

    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
    expect(await refusedOnBWithin1s(() => meWith(b, { 'x-api-key': key }))).toBe(true);
    expect((await meWith(a, { 'x-api-key': key })).status).toBe(401);
  });

  it('roles removed on A → the owner’s API key, cached by B, loses them on B', async () => {
    const owner = await tokenUser(a, { roles: ['admin'] });
    const created = await owner.client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
      name: 'admin bot',
    });
    const asKey = authz(created.body.apiKey.key);
    expect((await new Client(b.url).get('/admin/users', asKey)).status).toBe(200);

    // No clock advance: a demotion in the same second as the key was cached still counts.
    const demoted = await admin.client.put(`/admin/users/${owner.userId}/roles`, { roles: [] });
    expect(demoted.status).toBe(200);
    const lost = await within(
      1000,
      async () => (await new Client(b.url).get('/admin/users', asKey)).status === 403,
    );
    expect(lost).toBe(true);
    expect((await meWith(b, asKey.headers)).status).toBe(200);
  });

  it('a role change on A → the old access token is refused; a refresh carries the new roles', async () => {
    const user = await tokenUser(a, { delivery: 'body' });
    expect((await meWithToken(b, user.accessToken)).status).toBe(200);
    expect((await new Client(b.url).get('/admin/users', authz(user.accessToken))).status).toBe(403);
    // No clock advance: the token and the change fall in the same second (the roles version decides).
    const changed = await admin.client.put(`/admin/users/${user.userId}/roles`, {
      roles: ['admin'],
    });
    expect(changed.status).toBe(200);
    expect(await refusedOnBWithin1s(() => meWithToken(b, user.accessToken))).toBe(true);

    const refreshed = await new Client(b.url).post<RefreshBody>('/auth/refresh', {
      refreshToken: user.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    expect(claimsOf(refreshed.body.accessToken).roles).toEqual(['admin']);
    expect((await meWithToken(b, refreshed.body.accessToken)).status).toBe(200);
    expect((await meWithToken(a, refreshed.body.accessToken)).status).toBe(200);
    const users = await new Client(b.url).get('/admin/users', authz(refreshed.body.accessToken));
    expect(users.status).toBe(200);
  });
});

const authz = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('a restarted instance is not blind (state loaded from the database)', () => {
  it('an instance started after a ban refuses the banned user’s token', async () => {
    const user = await tokenUser(a);
    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
    const late = await startTestServer({ shareWith: a });
    try {
      expect((await meWithToken(late, user.accessToken)).status).toBe(401);
      expect((await meWithToken(late, admin.accessToken)).status).toBe(200);
    } finally {
      await late.stop();
    }
  });

  it('an instance started after a role change and a logout refuses the stale tokens', async () => {
    const demoted = await tokenUser(a, { roles: ['admin'] });
    const leaving = await tokenUser(a);
    expect(
      (await admin.client.put(`/admin/users/${demoted.userId}/roles`, { roles: [] })).status,
    ).toBe(200);
    expect((await leaving.client.post('/auth/logout', {})).status).toBe(204);
    const late = await startTestServer({ shareWith: a });
    try {
      expect((await meWithToken(late, demoted.accessToken)).status).toBe(401);
      expect((await meWithToken(late, leaving.accessToken)).status).toBe(401);
      expect((await meWithToken(late, admin.accessToken)).status).toBe(200);
    } finally {
      await late.stop();
    }
  });
});
