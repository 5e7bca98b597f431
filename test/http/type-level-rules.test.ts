import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { startServerWithPolicy } from '../helpers/policy-server.js';
import type { TestServer } from '../helpers/server.js';

/**
 * Support may manage users other than themselves: rules that only make sense
 * on one user. At type level there is no user to compare with, so neither rule
 * may hand out the route permission (an empty id is "not the caller", and a
 * comparison with a missing owner, negated, is true).
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
  support: {}
  auditor: {}
rules:
  - id: support-manages-others
    effect: allow
    actions: [users:manage]
    roles: [support]
    when: resource.id != user.id
  - id: auditors-read-others
    effect: allow
    actions: [audit:read]
    roles: [auditor]
    when: not (resource.ownerId == user.id)
`;

let server: TestServer;
beforeAll(async () => {
  server = await startServerWithPolicy(policy);
});
afterAll(() => server.stop());

describe('an allow rule about one resource never grants a route permission', () => {
  it('a support user cannot make themselves admin through a rule that excludes themselves', async () => {
    const support = await signedInUser(server, { roles: ['support'] });
    const promote = await support.client.put(`/admin/users/${support.userId}/roles`, {
      roles: ['admin'],
    });
    expect(promote.status).toBe(403);
    expect(promote.body.code).toBe('forbidden');
    expect((await support.client.get('/auth/me')).body.user).toMatchObject({
      roles: ['support'],
    });
    const check = await support.client.post('/authz/check', {
      action: 'users:manage',
      resource: { type: 'users' },
    });
    expect(check.body).toEqual({ allowed: false, reason: 'default_deny' });
  });

  it('a negated comparison with the missing owner does not open /admin/audit', async () => {
    const auditor = await signedInUser(server, { roles: ['auditor'] });
    expect((await auditor.client.get('/admin/audit')).status).toBe(403);
    const check = await auditor.client.post('/authz/check', {
      action: 'audit:read',
      resource: { type: 'audit' },
    });
    expect(check.body).toEqual({ allowed: false, reason: 'default_deny' });
  });

  it('the rules still decide a question about one resource', async () => {
    const support = await signedInUser(server, { roles: ['support'] });
    const other = await support.client.post('/authz/check', {
      action: 'users:manage',
      resource: { type: 'users', id: 'someone-else' },
    });
    expect(other.body).toEqual({ allowed: true, reason: 'rule:support-manages-others' });
    const self = await support.client.post('/authz/check', {
      action: 'users:manage',
      resource: { type: 'users', id: support.userId },
    });
    expect(self.body).toEqual({ allowed: false, reason: 'default_deny' });
  });

  it('an admin keeps the route through the role', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    expect((await admin.client.get('/admin/users')).status).toBe(200);
  });
});
