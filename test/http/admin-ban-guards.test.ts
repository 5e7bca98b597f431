import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { submitForm } from '../helpers/pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('banning', () => {
  it('refuses an admin who bans themselves, on the API and on the page, and they stay signed in', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const api = await admin.client.post(`/admin/users/${admin.userId}/ban`, { reason: 'oops' });
    expect(api.status).toBe(409);
    expect(api.body).toMatchObject({ code: 'conflict' });
    const page = await submitForm(
      admin.client,
      `/admin/user/${admin.userId}/ban`,
      { reason: 'oops' },
      { from: `/admin/user/${admin.userId}` },
    );
    expect(page.status).toBe(409);
    expect(page.text).toContain('You cannot ban yourself');
    expect((await admin.client.get('/auth/me')).status).toBe(200);
  });

  it('keeps the reason of a ban in its audit row', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const target = await signedInUser(server);
    const ban = await admin.client.post(`/admin/users/${target.userId}/ban`, {
      reason: 'Spam, reported twice',
    });
    expect(ban.status).toBe(200);
    const audit = await admin.client.get<{ events: { detail: Record<string, unknown> }[] }>(
      `/admin/audit?type=user_banned&userId=${target.userId}`,
    );
    expect(audit.body.events[0]?.detail).toMatchObject({
      by: admin.userId,
      reason: 'Spam, reported twice',
    });
  });
});
