import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  ({ client: admin } = await signedInUser(server, { roles: ['admin'] }));
});
afterAll(async () => server.stop());

interface UserView {
  id: string;
  email: string;
  roles: string[];
  banned: boolean;
}

interface AuditView {
  type: string;
  outcome: string;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  at: string;
  detail: Record<string, unknown>;
}

const login = (email: string, password = strongPassword, userAgent = 'admin-test') =>
  new Client(server.url).post(
    '/auth/login',
    { email, password },
    { headers: { 'user-agent': userAgent } },
  );

describe('admin routes: 401 for strangers, 403 for the unprivileged', () => {
  const routes: Array<[string, string, unknown?]> = [
    ['GET', '/admin/users'],
    ['GET', '/admin/audit'],
    ['POST', '/admin/users/00000000-0000-0000-0000-000000000000/ban', {}],
    ['POST', '/admin/users/00000000-0000-0000-0000-000000000000/unban'],
    ['PUT', '/admin/users/00000000-0000-0000-0000-000000000000/roles', { roles: ['admin'] }],
  ];
  for (const [method, path, json] of routes) {
    it(`${method} ${path}: anonymous → 401, plain user → 403`, async () => {
      const anonymous = await new Client(server.url).request(method, path, { json });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.code).toBe('unauthenticated');
      expect(anonymous.headers.get('www-authenticate')).toBeTruthy();

      const { client } = await signedInUser(server);
      const plain = await client.request(method, path, { json });
      expect(plain.status).toBe(403);
      expect(plain.body.code).toBe('forbidden');
      expect(plain.headers.get('www-authenticate')).toBeNull();
    });
  }

  it('a plain user cannot make themselves admin', async () => {
    const { client, userId } = await signedInUser(server);
    const response = await client.put(`/admin/users/${userId}/roles`, { roles: ['admin'] });
    expect(response.status).toBe(403);
    const me = await client.get<{ user: { roles: string[] } }>('/auth/me');
    expect(me.body.user.roles).toEqual([]);
  });
});

describe('admin actions', () => {
  it('lists users', async () => {
    const { email, userId } = await signedInUser(server);
    const response = await admin.get<{ users: UserView[] }>('/admin/users?limit=500');
    expect(response.status).toBe(200);
    const listed = response.body.users.find((u) => u.id === userId);
    expect(listed).toMatchObject({ email, roles: [], banned: false });
    expect(JSON.stringify(response.body)).not.toMatch(/argon2|password/i);
  });

  it('replaces roles, and the new role grants access on the next request', async () => {
    const { client, userId } = await signedInUser(server);
    expect((await client.get('/admin/users')).status).toBe(403);
    const response = await admin.put<{ user: UserView }>(`/admin/users/${userId}/roles`, {
      roles: ['admin'],
    });
    expect(response.status).toBe(200);
    expect(response.body.user.roles).toEqual(['admin']);
    expect((await client.get('/admin/users')).status).toBe(200);
    const back = await admin.put(`/admin/users/${userId}/roles`, { roles: [] });
    expect(back.status).toBe(200);
    expect((await client.get('/admin/users')).status).toBe(403);
  });

  it('refuses roles the policy does not define with 400 unknown_role naming them', async () => {
    const { client, userId } = await signedInUser(server);
    for (const roles of [['superuser'], ['admin', 'constructor']]) {
      const response = await admin.put<{ code: string; detail: string }>(
        `/admin/users/${userId}/roles`,
        { roles },
      );
      expect(response.status, roles.join()).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(response.body.code).toBe('unknown_role');
      expect(response.body.detail).toContain(`'${roles.at(-1)}'`);
    }
    // Nothing changed: the user still has no role and no admin access.
    const me = await client.get<{ user: { roles: string[] } }>('/auth/me');
    expect(me.body.user.roles).toEqual([]);
    expect((await client.get('/admin/users')).status).toBe(403);
  });

  it('rejects malformed roles and unknown users', async () => {
    const { userId } = await signedInUser(server);
    const bad = await admin.put(`/admin/users/${userId}/roles`, { roles: ['Not A Role!'] });
    expect(bad.status).toBe(400);
    const missing = await admin.post('/admin/users/00000000-0000-0000-0000-000000000000/ban', {});
    expect(missing.status).toBe(404);
  });

  it('bans: the existing session dies on its next request and login is 403; unban restores login', async () => {
    const { client, email, userId } = await signedInUser(server);
    expect((await client.get('/auth/me')).status).toBe(200);

    const ban = await admin.post<{ user: UserView }>(`/admin/users/${userId}/ban`, {
      reason: 'spam',
    });
    expect(ban.status).toBe(200);
    expect(ban.body.user.banned).toBe(true);
    expect((await client.get('/auth/me')).status).toBe(401);

    const refused = await login(email);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('account_banned');
    expect(refused.headers.getSetCookie()).toEqual([]);
    // A wrong password on a banned account still looks like any wrong password.
    expect((await login(email, 'wrong password for banned')).status).toBe(401);

    const unban = await admin.post<{ user: UserView }>(`/admin/users/${userId}/unban`);
    expect(unban.status).toBe(200);
    expect(unban.body.user.banned).toBe(false);
    // The sessions revoked by the ban stay revoked.
    expect((await client.get('/auth/me')).status).toBe(401);
    expect((await login(email)).status).toBe(200);
  });
});

describe('GET /admin/audit', () => {
  it('records login ok/failed, logout, password change, ban and session revocation', async () => {
    const { email, userId } = await signedInUser(server);
    const userAgent = 'audit-agent/1.0';
    expect((await login(email, 'this is not the password', userAgent)).status).toBe(401);

    const device = new Client(server.url);
    const headers = { 'user-agent': userAgent };
    const signIn = await device.post<{ csrfToken: string }>(
      '/auth/login',
      { email, password: strongPassword },
      { headers },
    );
    expect(signIn.status).toBe(200);
    device.csrfToken = signIn.body.csrfToken;
    const newPassword = 'an entirely new passphrase here';
    expect(
      (
        await device.post(
          '/auth/password/change',
          { currentPassword: strongPassword, newPassword },
          { headers },
        )
      ).status,
    ).toBe(204);
    const spare = new Client(server.url);
    const spareLogin = await spare.post<{ csrfToken: string }>(
      '/auth/login',
      { email, password: newPassword },
      { headers },
    );
    expect(spareLogin.status).toBe(200);
    const sessions = await device.get<{ sessions: Array<{ id: string; current: boolean }> }>(
      '/auth/sessions',
    );
    const other = sessions.body.sessions.find((s) => !s.current);
    expect((await device.delete(`/auth/sessions/${other?.id}`, { headers })).status).toBe(204);
    expect((await device.post('/auth/logout', undefined, { headers })).status).toBe(204);
    expect((await admin.post(`/admin/users/${userId}/ban`, {})).status).toBe(200);

    const response = await admin.get<{ events: AuditView[] }>(
      `/admin/audit?userId=${userId}&limit=500`,
    );
    expect(response.status).toBe(200);
    const events = response.body.events;
    const find = (type: string, outcome: string) =>
      events.find((e) => e.type === type && e.outcome === outcome);

    for (const [type, outcome] of [
      ['login', 'failure'],
      ['login', 'success'],
      ['password_change', 'success'],
      ['session_revoked', 'success'],
      ['logout', 'success'],
    ]) {
      const event = find(type as string, outcome as string);
      expect(event, `${type} ${outcome}`).toBeDefined();
      expect(event?.userId).toBe(userId);
      expect(event?.ip).toMatch(/127\.0\.0\.1|::1/);
      expect(event?.userAgent).toBe(userAgent);
      expect(Number.isNaN(Date.parse(event?.at ?? ''))).toBe(false);
    }
    const ban = find('user_banned', 'success');
    expect(ban).toBeDefined();
    expect(ban?.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(find('session_revoked', 'success')?.detail).toMatchObject({ sessionId: other?.id });
    expect(JSON.stringify(events)).not.toContain(strongPassword);
    expect(JSON.stringify(events)).not.toContain(newPassword);

    const byType = await admin.get<{ events: AuditView[] }>('/admin/audit?type=user_banned');
    expect(byType.body.events.length).toBeGreaterThan(0);
    expect(byType.body.events.every((e) => e.type === 'user_banned')).toBe(true);
  });
});
