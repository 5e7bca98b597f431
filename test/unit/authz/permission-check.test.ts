import { describe, expect, it } from 'vitest';
import { policyPermissions } from '../../../src/authz/permission-check.js';
import { defaultPolicyFile, loadConfiguredPolicy } from '../../../src/authz/policy-setup.js';
import { loadSettings } from '../../../src/config/load.js';
import { alice, bob, carol, demoPolicy, examplePolicyFile, user } from './fixtures.js';

describe('route permissions from the engine', () => {
  const permissions = policyPermissions(demoPolicy);

  it('grants a permission held by a role, with inheritance', () => {
    expect(permissions.hasPermission(alice, 'users:manage')).toBe(true);
    expect(permissions.hasPermission(alice, 'posts:read')).toBe(true);
    expect(permissions.hasPermission(bob, 'posts:update')).toBe(true);
    expect(permissions.hasPermission(bob, 'posts:delete')).toBe(false);
    expect(permissions.hasPermission(carol, 'posts:create')).toBe(false);
  });

  it('denies by default: unknown permissions, unknown roles, no roles', () => {
    expect(permissions.hasPermission(alice, 'posts:fly')).toBe(false);
    expect(permissions.hasPermission(alice, 'users')).toBe(false);
    expect(permissions.hasPermission(user('x', ['root']), 'users:manage')).toBe(false);
    expect(permissions.hasPermission(user('y', []), 'posts:read')).toBe(false);
  });

  it('honours a narrowed credential', () => {
    const narrowed = user('alice', ['admin'], {}, ['posts:read']);
    expect(permissions.hasPermission(narrowed, 'posts:read')).toBe(true);
    expect(permissions.hasPermission(narrowed, 'users:manage')).toBe(false);
  });

  it('loads the built-in policy without a policy file: admin holds users:manage and audit:read only', async () => {
    const policy = await loadConfiguredPolicy({});
    expect(policy.file).toBe(defaultPolicyFile);
    const builtin = policyPermissions(policy);
    const admin = user('a', ['admin']);
    expect(builtin.hasPermission(admin, 'users:manage')).toBe(true);
    expect(builtin.hasPermission(admin, 'audit:read')).toBe(true);
    expect(builtin.hasPermission(user('b', ['editor']), 'users:manage')).toBe(false);
  });

  it('reads the policy file from GATEHOUSE_POLICY', async () => {
    const settings = loadSettings({ env: { GATEHOUSE_POLICY: examplePolicyFile } });
    expect(settings.policyFile).toBe(examplePolicyFile);
    expect((await loadConfiguredPolicy(settings)).roles.has('editor')).toBe(true);
  });
});
