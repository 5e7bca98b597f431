import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy, parsePolicy } from '@gatehouse/authz';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { demoPolicy, examplePolicyFile } from './fixtures.js';

const header = `version: 1
user:
  attributes: { department: string, clearance: number }
resources:
  posts:
    actions: [create, read, delete]
    attributes: { category: string }
`;

/** Parses `header + body` and returns the PolicyError it must throw. */
function policyError(body: string): PolicyError {
  try {
    parsePolicy(header + body, 'policy.yaml');
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected the policy to be rejected');
}

describe('loading', () => {
  it('loads the example policy and flattens inheritance', async () => {
    const policy = await loadPolicy(examplePolicyFile);
    expect([...(policy.roles.get('admin')?.permissions ?? [])].sort()).toEqual(
      [
        'audit:read',
        'documents:create',
        'orders:create',
        'posts:create',
        'posts:delete',
        'posts:read',
        'posts:update',
        'users:manage',
      ].sort(),
    );
    expect(policy.roles.get('viewer')?.permissions.has('posts:update')).toBe(false);
    expect(demoPolicy.rules.map((rule) => rule.id)).toContain('edit-own-categories-only');
  });

  it('loadPolicy reports the real file path and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `${header}roles:\n  viewer: { permissions: [posts:fly] }\n`);
    await expect(loadPolicy(file)).rejects.toMatchObject({ code: 'invalid_policy', file, line: 9 });
  });
});

describe('validation errors name file and line', () => {
  it('unknown permission in a role', () => {
    const error = policyError('roles:\n  viewer:\n    permissions: [posts:read, posts:fly]\n');
    expect(error).toMatchObject({
      code: 'invalid_policy',
      file: 'policy.yaml',
      line: 10,
      path: 'roles.viewer.permissions.1',
    });
    expect(error.message).toBe(
      "policy.yaml:10: roles.viewer.permissions.1: unknown permission 'posts:fly'",
    );
  });

  it('unknown inherited role', () => {
    expect(policyError('roles:\n  editor:\n    inherits: [viewr]\n')).toMatchObject({
      line: 10,
      detail: "unknown role 'viewr'",
    });
  });

  it('inheritance cycle', () => {
    const error = policyError(`roles:
  viewer: { inherits: [admin] }
  editor: { inherits: [viewer] }
  admin: { inherits: [editor] }
`);
    expect(error.detail).toMatch(/^inheritance cycle: (viewer|editor|admin) → .* → \1$/);
    expect([9, 10, 11]).toContain(error.line);
  });

  it('a role inheriting itself', () => {
    expect(policyError('roles:\n  admin: { inherits: [admin] }\n').detail).toBe(
      'inheritance cycle: admin → admin',
    );
  });

  it('unknown role in a rule', () => {
    expect(
      policyError(
        'roles: {}\nrules:\n  - { id: r, effect: allow, actions: [posts:read], roles: [ghost] }\n',
      ),
    ).toMatchObject({
      line: 10,
      detail: "unknown role 'ghost'",
    });
  });

  it('a rule whose action is not a declared permission', () => {
    expect(
      policyError('roles: {}\nrules:\n  - id: r\n    effect: allow\n    actions: [posts:update]\n'),
    ).toMatchObject({
      line: 12,
      path: 'rules.0.actions.0',
    });
  });

  it('unknown attribute in a condition, with the column', () => {
    const error = policyError(
      'roles: {}\nrules:\n  - id: r\n    effect: allow\n    actions: [posts:read]\n    when: user.departmnt == "x"\n',
    );
    expect(error).toMatchObject({ line: 13, path: 'rules.0.when' });
    expect(error.detail).toBe('unknown attribute user.departmnt (at column 1)');
  });

  it('type errors and syntax errors in conditions', () => {
    const rule = (when: string) =>
      policyError(
        `roles: {}\nrules:\n  - id: r\n    effect: allow\n    actions: [posts:read]\n    when: '${when}'\n`,
      ).detail;
    expect(rule('user.clearance == "high"')).toMatch(/cannot compare number with string/);
    expect(rule('user.department > "a"')).toMatch(/compares numbers only/);
    expect(rule('user.department == ')).toMatch(/expected a name, got 'end of condition'/);
    expect(rule('user.department == depot.x')).toMatch(
      /expected user\.\*, resource\.\*, env\.\*, auth\.\* or a literal/,
    );
    expect(rule('user.department == "a" and')).toMatch(/expected/);
    expect(rule('env.time within lunch')).toMatch(/unknown schedule 'lunch'/);
    expect(rule('env.ip in cidr("10.0.0.0/33")')).toMatch(/invalid CIDR/);
    expect(rule('env.weekday in ["monday"]')).toMatch(/weekdays are/);
    expect(rule('resource.category == resource.category')).toMatch(/two resource attributes/);
    expect(rule('user.department')).toMatch(/must be boolean/);
    expect(rule('user.department == "a" ; true')).toMatch(/unexpected character/);
  });

  it('duplicate rule ids', () => {
    const error = policyError(`roles: {}
rules:
  - { id: same, effect: allow, actions: [posts:read] }
  - { id: same, effect: allow, actions: [posts:create] }
`);
    expect(error).toMatchObject({
      line: 11,
      detail: "duplicate rule id 'same' (first at line 10)",
    });
  });

  it('an allow rule shadowed by an unconditional deny', () => {
    const error = policyError(`roles: { editor: {} }
rules:
  - { id: no-deletes, effect: deny, actions: [posts:delete, posts:create] }
  - { id: editors-delete, effect: allow, actions: [posts:delete], roles: [editor] }
`);
    expect(error).toMatchObject({ line: 11 });
    expect(error.detail).toMatch(/unreachable: .* denied by rule 'no-deletes' \(line 10\)/);
  });

  it('an allow and a deny with the same condition contradict each other', () => {
    const error = policyError(`roles: {}
rules:
  - { id: a, effect: allow, actions: [posts:read], when: 'user.department == "x"' }
  - { id: d, effect: deny, actions: [posts:read], when: 'user.department  ==  "x"' }
`);
    expect(error).toMatchObject({ line: 10 });
  });

  it('accepts an allow narrowed beyond a conditional deny', () => {
    expect(() =>
      parsePolicy(`${header}roles: {}
rules:
  - { id: d, effect: deny, actions: [posts:read], when: 'user.department == "x"' }
  - { id: a, effect: allow, actions: [posts:read] }
`),
    ).not.toThrow();
  });

  it('unknown keys, bad types, bad time zones, bad YAML', () => {
    expect(policyError('roles: {}\nrulez: []\n')).toMatchObject({ line: 9, path: 'rulez' });
    expect(
      policyError('roles: {}\nrules:\n  - { id: r, effect: permit, actions: [posts:read] }\n')
        .detail,
    ).toBe('expected allow or deny');
    expect(policyError('roles: {}\ntimeZone: Mars/Olympus\n').detail).toMatch(/unknown time zone/);
    expect(
      policyError('roles: {}\nschedules:\n  b: { days: [mon], from: "9am", to: "17:00" }\n').detail,
    ).toMatch(/HH:MM/);
    expect(policyError('roles: [\n')).toMatchObject({ code: 'invalid_policy' });
    expect(() => parsePolicy('version: 2\nresources: {}\nroles: {}\n')).toThrow(PolicyError);
    expect(() =>
      parsePolicy(
        'version: 1\nresources: { a: { actions: &x [r] }, b: { actions: *x } }\nroles: {}\n',
      ),
    ).toThrow(PolicyError);
  });

  it('a resource attribute must be declared on every type a rule touches', () => {
    const error = policyError(`  docs: { actions: [read] }
roles: {}
rules:
  - { id: r, effect: allow, actions: [posts:read, docs:read], when: 'resource.category == "a"' }
`);
    expect(error).toMatchObject({
      line: 11,
      detail: 'unknown attribute resource.category (at column 1)',
    });
  });
});
