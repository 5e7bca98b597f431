import { decide, decidePermission, parsePolicy, typeLevelResource } from '@gatehouse/authz';
import { describe, expect, it } from 'vitest';
import { defaultPolicyFile, loadConfiguredPolicy } from '../../../src/authz/policy-setup.js';
import { loadSettings } from '../../../src/config/load.js';
import {
  alice,
  bob,
  carol,
  demoPolicy,
  examplePolicyFile,
  tuesdayMorning,
  user,
} from './fixtures.js';

describe('route permissions from the engine', () => {
  const allowed = (principal: typeof alice, permission: string) =>
    decidePermission(demoPolicy, principal, permission, tuesdayMorning).allowed;

  it('grants a permission held by a role, with inheritance', () => {
    expect(allowed(alice, 'users:manage')).toBe(true);
    expect(allowed(alice, 'posts:read')).toBe(true);
    expect(allowed(bob, 'posts:create')).toBe(true);
    expect(allowed(bob, 'posts:delete')).toBe(false);
    expect(allowed(carol, 'posts:create')).toBe(false);
  });

  it('denies by default: unknown permissions, unknown roles, no roles', () => {
    expect(decidePermission(demoPolicy, alice, 'posts:fly', tuesdayMorning)).toEqual({
      allowed: false,
      reason: 'action:unknown',
    });
    expect(allowed(alice, 'users')).toBe(false);
    expect(allowed(user('x', ['root']), 'users:manage')).toBe(false);
    expect(allowed(user('y', []), 'posts:read')).toBe(false);
  });

  it('honours a narrowed credential', () => {
    const narrowed = user('alice', ['admin'], {}, ['posts:read']);
    expect(allowed(narrowed, 'posts:read')).toBe(true);
    expect(allowed(narrowed, 'users:manage')).toBe(false);
  });

  it('is the decision of decide on the type-level resource, deny rules and environment included', () => {
    const policy = parsePolicy(
      `version: 1
resources:
  users: { actions: [manage] }
roles:
  admin: { permissions: [users:manage] }
rules:
  - { id: not-from-the-office, effect: deny, actions: [users:manage], when: 'env.ip in cidr("10.0.0.0/8")' }
`,
      'inline.yaml',
    );
    const admin = user('a', ['admin']);
    const office = { ...tuesdayMorning, ip: '10.1.2.3' };
    const home = { ...tuesdayMorning, ip: '192.0.2.7' };
    expect(decidePermission(policy, admin, 'users:manage', office)).toEqual({
      allowed: false,
      reason: 'rule:not-from-the-office',
    });
    expect(decidePermission(policy, admin, 'users:manage', home)).toEqual({
      allowed: true,
      reason: 'role:admin',
    });
    const resource = typeLevelResource(policy, 'users:manage');
    expect(resource).toEqual({ type: 'users', id: '', attributes: {}, typeLevel: true });
    expect(decide(policy, admin, 'users:manage', resource, office)).toEqual(
      decidePermission(policy, admin, 'users:manage', office),
    );
  });

  it('loads the built-in policy without a policy file: admin holds users:manage and audit:read only', async () => {
    const policy = await loadConfiguredPolicy({});
    expect(policy.file).toBe(defaultPolicyFile);
    const admin = user('a', ['admin']);
    const holds = (principal: typeof admin, permission: string) =>
      decidePermission(policy, principal, permission, tuesdayMorning).allowed;
    expect(holds(admin, 'users:manage')).toBe(true);
    expect(holds(admin, 'audit:read')).toBe(true);
    expect(holds(user('b', ['editor']), 'users:manage')).toBe(false);
  });

  it('reads the policy file from GATEHOUSE_POLICY', async () => {
    const settings = loadSettings({ env: { GATEHOUSE_POLICY: examplePolicyFile } });
    expect(settings.policyFile).toBe(examplePolicyFile);
    expect((await loadConfiguredPolicy(settings)).roles.has('editor')).toBe(true);
  });
});
