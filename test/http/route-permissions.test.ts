import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { startServerWithPolicy } from '../helpers/policy-server.js';
import type { TestServer } from '../helpers/server.js';

/** The built-in policy plus one deny rule on users:manage for callers on loopback (as the tests are). */
const policyWithDeny = `version: 1
resources:
  users:
    actions: [manage]
  audit:
    actions: [read]
roles:
  admin:
    permissions: [users:manage, audit:read]
rules:
  - id: no-user-admin-from-loopback
    effect: deny
    actions: [users:manage]
    when: env.ip in cidr("127.0.0.0/8")
`;

let server: TestServer;
beforeAll(async () => {
  server = await startServerWithPolicy(policyWithDeny);
});
afterAll(() => server.stop());

describe('route guards decide with the engine, deny rules and environment included', () => {
  it('refuses an admin on /admin/users from 127.0.0.1 with 403, as /authz/check says', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const route = await admin.client.get('/admin/users');
    expect(route.status).toBe(403);
    expect(route.body.code).toBe('forbidden');
    const check = await admin.client.post('/authz/check', {
      action: 'users:manage',
      resource: { type: 'users' },
    });
    expect(check.body).toEqual({ allowed: false, reason: 'rule:no-user-admin-from-loopback' });
    const ban = await admin.client.post(`/admin/users/${admin.userId}/ban`, {});
    expect(ban.status).toBe(403);
  });

  it('still lets the admin use a permission the rule does not cover', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    expect((await admin.client.get('/admin/audit')).status).toBe(200);
    const check = await admin.client.post('/authz/check', {
      action: 'audit:read',
      resource: { type: 'audit' },
    });
    expect(check.body).toEqual({ allowed: true, reason: 'role:admin' });
  });
});
