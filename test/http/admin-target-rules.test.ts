import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { startServerWithPolicy } from '../helpers/policy-server.js';
import type { TestServer } from '../helpers/server.js';

/**
 * The admin routes act on one user: rules about that user must bind them, not
 * only the type-level check of the route guard. Here no admin may ban, unban
 * or change the roles of their own account.
 */
const policy = `version: 1
resources:
  users:
    actions: [manage]
  audit:
    actions: [read]
roles:
  admin:
    permissions: [users:manage, audit:read]
rules:
  - id: no-self-management
    effect: deny
    actions: [users:manage]
    when: resource.id == user.id
`;

let server: TestServer;
beforeAll(async () => {
  server = await startServerWithPolicy(policy);
});
afterAll(() => server.stop());

describe('a deny rule about the target user binds the admin routes', () => {
  it('refuses an admin acting on their own account, allows them on another', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const other = await signedInUser(server);
    const self = `/admin/users/${admin.userId}`;

    for (const response of [
      await admin.client.put(`${self}/roles`, { roles: [] }),
      await admin.client.post(`${self}/ban`, {}),
      await admin.client.post(`${self}/unban`, {}),
    ]) {
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('forbidden');
    }
    expect((await admin.client.get('/auth/me')).body.user).toMatchObject({ roles: ['admin'] });

    expect((await admin.client.get('/admin/users')).status).toBe(200);
    expect((await admin.client.post(`/admin/users/${other.userId}/ban`, {})).status).toBe(200);
    expect((await admin.client.post(`/admin/users/${other.userId}/unban`, {})).status).toBe(200);
  });
});
