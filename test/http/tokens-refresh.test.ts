import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { mailedToken } from '../helpers/outbox.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  claimsOf,
  logIn,
  meWithToken,
  REFRESH_COOKIE,
  type RefreshBody,
  refreshWith,
  type TokenUser,
  tokenUser,
} from '../helpers/tokens.js';

let server: TestServer;
let admin: TokenUser;
beforeAll(async () => {
  server = await startTestServer();
  admin = await tokenUser(server, { roles: ['admin'] });
});
afterAll(async () => server.stop());

const expectDead = async (refreshToken: string) => {
  const response = await refreshWith(server, refreshToken);
  expect(response.status).toBe(401);
  expect(response.body.code).toBe('invalid_refresh_token');
};

describe('refresh token rotation', () => {
  it('rotates on every use: the old token dies, the new one works (cookie transport)', async () => {
    const user = await tokenUser(server);
    const first = user.refreshToken;
    const refreshed = await user.client.post<RefreshBody>('/auth/refresh');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.tokenType).toBe('Bearer');
    expect(refreshed.body.expiresIn).toBe(600);
    expect(refreshed.body.refreshToken).toBeUndefined();
    const second = user.client.cookies.get(REFRESH_COOKIE);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(claimsOf(refreshed.body.accessToken).sid).toBe(claimsOf(user.accessToken).sid);
    expect((await meWithToken(server, refreshed.body.accessToken)).status).toBe(200);

    const third = await user.client.post<RefreshBody>('/auth/refresh');
    expect(third.status).toBe(200);
    expect(user.client.cookies.get(REFRESH_COOKIE)).not.toBe(second);
  });

  it('rotates in the body for a native client', async () => {
    const user = await tokenUser(server, { delivery: 'body' });
    const refreshed = await refreshWith(server, user.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toBeDefined();
    expect(refreshed.body.refreshToken).not.toBe(user.refreshToken);
    expect(refreshed.headers.getSetCookie().some((c) => c.startsWith(REFRESH_COOKIE))).toBe(false);
    expect((await refreshWith(server, String(refreshed.body.refreshToken))).status).toBe(200);
  });

  it('refuses a missing or unknown refresh token', async () => {
    const none = await new Client(server.url).post<RefreshBody>('/auth/refresh');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('invalid_refresh_token');
    await expectDead('A'.repeat(43));
  });
});

describe('reuse of a rotated refresh token', () => {
  it('after the grace window revokes the whole session and writes an audit event', async () => {
    const user = await tokenUser(server, { delivery: 'body' });
    const sessionId = String(claimsOf(user.accessToken).sid);
    const rotated = await refreshWith(server, user.refreshToken);
    expect(rotated.status).toBe(200);
    const successor = String(rotated.body.refreshToken);
    const freshAccess = rotated.body.accessToken;
    expect((await user.client.get('/auth/me')).status).toBe(200);

    server.clock.advance(11_000);
    const reuse = await refreshWith(server, user.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('invalid_refresh_token');

    // Every token of the family is dead, and the session with it.
    await expectDead(successor);
    expect((await user.client.get('/auth/me')).status).toBe(401);
    expect((await meWithToken(server, freshAccess)).status).toBe(401);
    expect((await meWithToken(server, user.accessToken)).status).toBe(401);

    const audit = await admin.client.get<{
      events: Array<{ type: string; userId: string; detail: Record<string, unknown> }>;
    }>(`/admin/audit?type=refresh_token_reuse&userId=${user.userId}`);
    expect(audit.status).toBe(200);
    expect(audit.body.events).toHaveLength(1);
    expect(audit.body.events[0]?.detail.sessionId).toBe(sessionId);
  });

  it('within the grace window, once the successor was used, is still theft', async () => {
    const user = await tokenUser(server, { delivery: 'body' });
    const successor = String((await refreshWith(server, user.refreshToken)).body.refreshToken);
    const next = await refreshWith(server, successor);
    expect(next.status).toBe(200);
    await expectDead(user.refreshToken);
    await expectDead(String(next.body.refreshToken));
    expect((await meWithToken(server, next.body.accessToken)).status).toBe(401);
  });

  // Several rounds, so that the race is actually lost by one side at least once.
  it.each([1, 2, 3, 4, 5])(
    'two truly concurrent refreshes of one token both succeed with the same successor (round %i)',
    async () => {
      const user = await tokenUser(server, { delivery: 'body' });
      const [a, b] = await Promise.all([
        refreshWith(server, user.refreshToken),
        refreshWith(server, user.refreshToken),
      ]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.body.refreshToken).toBeDefined();
      expect(a.body.refreshToken).toBe(b.body.refreshToken);
      // The session survives: the shared successor rotates on, the access tokens work.
      expect((await meWithToken(server, a.body.accessToken)).status).toBe(200);
      expect((await meWithToken(server, b.body.accessToken)).status).toBe(200);
      expect((await user.client.get('/auth/me')).status).toBe(200);
      const onward = await refreshWith(server, String(a.body.refreshToken));
      expect(onward.status).toBe(200);
      expect((await meWithToken(server, onward.body.accessToken)).status).toBe(200);
    },
  );

  it('the same client presenting the cookie twice at once stays signed in', async () => {
    const user = await tokenUser(server);
    const [a, b] = await Promise.all([
      user.client.post<RefreshBody>('/auth/refresh'),
      user.client.post<RefreshBody>('/auth/refresh'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await user.client.post('/auth/refresh')).status).toBe(200);
    expect((await user.client.get('/auth/me')).status).toBe(200);
  });
});

describe('refresh tokens die with their session', () => {
  it('on logout', async () => {
    const user = await tokenUser(server);
    expect((await user.client.post('/auth/logout')).status).toBe(204);
    await expectDead(user.refreshToken);
  });

  it('on DELETE /auth/sessions/{id}', async () => {
    const user = await tokenUser(server);
    const other = await logIn(server, user.email, user.password, 'body');
    const sid = String(claimsOf(other.accessToken).sid);
    expect((await user.client.delete(`/auth/sessions/${sid}`)).status).toBe(204);
    await expectDead(other.refreshToken);
    expect((await refreshWith(server, user.refreshToken)).status).toBe(200);
  });

  it('on password change (the other sessions)', async () => {
    const user = await tokenUser(server);
    const other = await logIn(server, user.email, user.password, 'body');
    const newPassword = 'a different passphrase, long enough 7';
    const changed = await user.client.post('/auth/password/change', {
      currentPassword: user.password,
      newPassword,
    });
    expect(changed.status).toBeLessThan(300);
    await expectDead(other.refreshToken);
  });

  it('on password reset', async () => {
    const user = await tokenUser(server, { delivery: 'body' });
    await new Client(server.url).post('/auth/password/forgot', { email: user.email });
    const token = await mailedToken(server, user.email, /reset/i);
    const reset = await new Client(server.url).post('/auth/password/reset', {
      token,
      newPassword: 'a brand new passphrase for the reset 9',
    });
    expect(reset.status).toBe(204);
    await expectDead(user.refreshToken);
  });

  it('on ban', async () => {
    const user = await tokenUser(server, { delivery: 'body' });
    const ban = await admin.client.post(`/admin/users/${user.userId}/ban`, {});
    expect(ban.status).toBe(200);
    await expectDead(user.refreshToken);
    expect((await meWithToken(server, user.accessToken)).status).toBe(401);
  });
});
