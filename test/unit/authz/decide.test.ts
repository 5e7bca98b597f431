import { decide, explain, parsePolicy, type ResourceInput } from '@gatehouse/authz';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/principal.js';
import {
  alice,
  bob,
  carol,
  david,
  demoPolicy,
  post,
  q3Report,
  saturday,
  summerMorning,
  tuesdayMorning,
  user,
  winterEarly,
} from './fixtures.js';

const allowed = (
  ...args: Parameters<typeof decide> extends [unknown, ...infer Rest] ? Rest : never
) => decide(demoPolicy, ...args).allowed;

describe('RBAC with inheritance (CMS posts)', () => {
  const politics = post('p1', 'politics');
  const sports = post('p2', 'sports');

  it('admin does everything, including deletes', () => {
    for (const action of ['posts:create', 'posts:read', 'posts:update', 'posts:delete']) {
      expect(allowed(alice, action, politics)).toBe(true);
    }
    expect(allowed(alice, 'users:manage', { type: 'users', id: 'bob', attributes: {} })).toBe(true);
    expect(decide(demoPolicy, alice, 'posts:delete', politics).reason).toBe('role:admin');
  });

  it('editor creates, reads and updates but cannot delete or manage users', () => {
    expect(allowed(david, 'posts:create', politics)).toBe(true);
    expect(allowed(david, 'posts:read', politics)).toBe(true);
    expect(allowed(david, 'posts:update', politics)).toBe(true);
    expect(decide(demoPolicy, david, 'posts:delete', politics)).toEqual({
      allowed: false,
      reason: 'default_deny',
    });
    expect(allowed(david, 'users:manage', { type: 'users', id: 'x', attributes: {} })).toBe(false);
  });

  it('viewer only reads', () => {
    expect(allowed(carol, 'posts:read', politics)).toBe(true);
    expect(allowed(carol, 'posts:create', politics)).toBe(false);
    expect(allowed(carol, 'posts:update', sports)).toBe(false);
    expect(allowed(carol, 'posts:delete', sports)).toBe(false);
  });

  it("Bob's updates are narrowed to sports by a deny rule", () => {
    expect(decide(demoPolicy, bob, 'posts:update', sports)).toEqual({
      allowed: true,
      reason: 'role:editor',
    });
    expect(decide(demoPolicy, bob, 'posts:update', politics)).toEqual({
      allowed: false,
      reason: 'rule:edit-own-categories-only',
    });
    expect(allowed(bob, 'posts:read', politics)).toBe(true);
    expect(allowed(bob, 'posts:create', politics)).toBe(true);
  });

  it('many roles per user combine', () => {
    const both = user('eve', ['viewer', 'admin']);
    expect(allowed(both, 'posts:delete', politics)).toBe(true);
  });

  it('unknown actions, wrong resource types and unknown roles are denied', () => {
    expect(decide(demoPolicy, alice, 'posts:publish', politics).reason).toBe('action:unknown');
    expect(decide(demoPolicy, alice, 'users:manage', politics).reason).toBe('action:unknown');
    expect(allowed(user('x', ['superuser']), 'posts:read', politics)).toBe(false);
    expect(allowed(user('x', []), 'posts:read', politics)).toBe(false);
  });

  it('scopes narrow a credential: a permission must be in both the roles and the scopes', () => {
    const key = user('alice', ['admin'], {}, ['posts:read']);
    expect(allowed(key, 'posts:read', politics)).toBe(true);
    expect(decide(demoPolicy, key, 'posts:delete', politics)).toEqual({
      allowed: false,
      reason: 'scope:excluded',
    });
    const scopedViewer = user('carol', ['viewer'], {}, ['posts:delete']);
    expect(allowed(scopedViewer, 'posts:delete', politics)).toBe(false);
  });
});

describe('ACL (Q3 Financial Report)', () => {
  const cases: [string, boolean, boolean, boolean, Parameters<typeof decide>[1]][] = [
    ['Alice', true, true, false, alice],
    ['Bob', true, false, false, bob],
    ['Carol', false, false, false, carol],
    ['David', true, true, true, david],
  ];
  it.each(cases)('%s: read=%s write=%s share=%s', (_name, read, write, share, who) => {
    expect(allowed(who, 'documents:read', q3Report, tuesdayMorning)).toBe(read);
    expect(allowed(who, 'documents:write', q3Report, tuesdayMorning)).toBe(write);
    expect(allowed(who, 'documents:share', q3Report, tuesdayMorning)).toBe(share);
  });

  it('Carol can read once someone grants her read, through a group too', () => {
    const shared = {
      ...q3Report,
      acl: [
        ...(q3Report.acl ?? []),
        { subjectType: 'user' as const, subjectId: 'carol', permissions: ['read'] },
      ],
    };
    expect(decide(demoPolicy, carol, 'documents:read', shared)).toEqual({
      allowed: true,
      reason: 'acl:granted',
    });
    const byGroup = {
      ...q3Report,
      acl: [{ subjectType: 'group' as const, subjectId: 'viewer', level: 'viewer' }],
    };
    expect(allowed(carol, 'documents:read', byGroup)).toBe(true);
    expect(allowed(carol, 'documents:write', byGroup)).toBe(false);
  });

  it('an ACL entry overrides allow rules for that resource (ABAC read is not reached)', () => {
    const internal: ResourceInput = {
      type: 'documents',
      id: 'd2',
      attributes: { classification: 'internal', requiredClearance: 1 },
      acl: [{ subjectType: 'user', subjectId: 'david', permissions: ['write'] }],
    };
    expect(decide(demoPolicy, david, 'documents:read', internal, tuesdayMorning)).toEqual({
      allowed: false,
      reason: 'acl:not_granted',
    });
    expect(allowed(carol, 'documents:read', internal, tuesdayMorning)).toBe(true);
  });
});

describe('ABAC: the seed rule for internal documents', () => {
  const internal: ResourceInput = {
    type: 'documents',
    id: 'handbook',
    attributes: { classification: 'internal', requiredClearance: 2 },
  };
  const rule = 'rule:cleared-engineers-read-internal-docs';

  it('allows a cleared engineer inside business hours', () => {
    expect(decide(demoPolicy, david, 'documents:read', internal, tuesdayMorning)).toEqual({
      allowed: true,
      reason: rule,
    });
    expect(allowed(david, 'documents:read', internal, summerMorning)).toBe(true);
  });

  it('denies outside business hours, on weekends and without a clock', () => {
    expect(allowed(david, 'documents:read', internal, winterEarly)).toBe(false);
    expect(allowed(david, 'documents:read', internal, saturday)).toBe(false);
    expect(allowed(david, 'documents:read', internal)).toBe(false);
  });

  it('denies with low clearance, another department, another classification', () => {
    expect(allowed(carol, 'documents:read', internal, tuesdayMorning)).toBe(false);
    expect(
      allowed(
        user('x', [], { department: 'sales', clearance: 9 }),
        'documents:read',
        internal,
        tuesdayMorning,
      ),
    ).toBe(false);
    const secret = { ...internal, attributes: { classification: 'secret', requiredClearance: 0 } };
    expect(allowed(david, 'documents:read', secret, tuesdayMorning)).toBe(false);
  });

  it('treats missing or mistyped attributes as not matching', () => {
    expect(
      allowed(
        user('x', [], { department: 'engineering' }),
        'documents:read',
        internal,
        tuesdayMorning,
      ),
    ).toBe(false);
    expect(
      allowed(
        user('x', [], { department: 'engineering', clearance: '9' }),
        'documents:read',
        internal,
        tuesdayMorning,
      ),
    ).toBe(false);
  });
});

describe('ownership (orders)', () => {
  const order: ResourceInput = {
    type: 'orders',
    id: 'o1',
    ownerId: 'bob',
    attributes: { total: 10 },
  };
  it('owners read their own orders, nobody else does', () => {
    expect(decide(demoPolicy, bob, 'orders:read', order)).toEqual({
      allowed: true,
      reason: 'rule:read-own-orders',
    });
    expect(allowed(alice, 'orders:read', order)).toBe(false);
    expect(allowed(carol, 'orders:read', { ...order, ownerId: undefined })).toBe(false);
  });
});

describe('deny overrides allow', () => {
  const policy = parsePolicy(`
version: 1
resources:
  posts: { actions: [read, update], attributes: { locked: boolean } }
roles:
  admin: { permissions: [posts:read, posts:update] }
rules:
  - { id: anyone-reads, effect: allow, actions: [posts:read] }
  - { id: locked, effect: deny, actions: [posts:update, posts:read], when: resource.locked }
`);
  const locked: ResourceInput = { type: 'posts', id: '1', attributes: { locked: true } };
  const open: ResourceInput = { type: 'posts', id: '2', attributes: { locked: false } };
  const admin = user('a', ['admin']);

  it('beats a role permission and an allow rule', () => {
    expect(decide(policy, admin, 'posts:update', locked)).toEqual({
      allowed: false,
      reason: 'rule:locked',
    });
    expect(decide(policy, user('b', []), 'posts:read', locked)).toEqual({
      allowed: false,
      reason: 'rule:locked',
    });
    expect(decide(policy, user('b', []), 'posts:read', open)).toEqual({
      allowed: true,
      reason: 'rule:anyone-reads',
    });
    expect(decide(policy, admin, 'posts:update', open).allowed).toBe(true);
  });

  it('beats an ACL grant', () => {
    const withAcl = parsePolicy(`
version: 1
resources:
  docs: { actions: [read], attributes: { locked: boolean }, acl: {} }
roles: {}
rules:
  - { id: locked, effect: deny, actions: [docs:read], when: resource.locked }
`);
    const doc = (isLocked: boolean): ResourceInput => ({
      type: 'docs',
      id: 'd',
      attributes: { locked: isLocked },
      acl: [{ subjectType: 'user', subjectId: 'a', permissions: ['read'] }],
    });
    expect(decide(withAcl, admin, 'docs:read', doc(true)).reason).toBe('rule:locked');
    expect(decide(withAcl, admin, 'docs:read', doc(false)).reason).toBe('acl:granted');
  });

  it('explain names the deciding rule and everything considered', () => {
    const result = explain(policy, admin, 'posts:read', locked);
    expect(result.allowed).toBe(false);
    expect(result.decidedBy).toMatchObject({
      source: 'rule',
      id: 'locked',
      outcome: 'matched',
      line: 9,
    });
    expect(result.considered.map((step) => [step.id, step.outcome])).toEqual([
      ['locked', 'matched'],
      ['admin', 'matched'],
      ['anyone-reads', 'matched'],
    ]);
    expect(explain(policy, user('b', []), 'posts:update', open)).toMatchObject({
      allowed: false,
      reason: 'default_deny',
      decidedBy: undefined,
    });
  });
});

describe('ownership comes before ACL grants', () => {
  const policy = parsePolicy(`
version: 1
resources:
  docs:
    actions: [read, write, share]
    attributes: { locked: boolean }
    acl: { levels: { viewer: [read] } }
roles:
  reader: { permissions: [docs:read] }
  writer: { inherits: [reader], permissions: [docs:write] }
rules:
  - { id: locked, effect: deny, actions: [docs:write], when: resource.locked }
  - { id: owners, effect: allow, actions: [docs:read, docs:write], owner: true }
  - { id: writing-owners-share, effect: allow, actions: [docs:share], roles: [writer], owner: true }
`);
  const doc = (acl: ResourceInput['acl'], locked = false): ResourceInput => ({
    type: 'docs',
    id: 'd',
    ownerId: 'alice',
    attributes: { locked },
    acl,
  });
  const aliceWriter = user('alice', ['writer']);
  const may = (principal: Principal, action: string, resource: ResourceInput) =>
    decide(policy, principal, action, resource).allowed;

  it("keeps the owner's full rights when a narrower grant names them", () => {
    // David, who holds share, shares read back to Alice on her own document.
    const sharedBack = doc([
      { subjectType: 'user', subjectId: 'david', permissions: ['read', 'write', 'share'] },
      { subjectType: 'user', subjectId: 'alice', permissions: ['read'] },
    ]);
    expect(decide(policy, aliceWriter, 'docs:read', sharedBack).reason).toBe('rule:owners');
    expect(decide(policy, aliceWriter, 'docs:write', sharedBack).reason).toBe('rule:owners');
    expect(decide(policy, aliceWriter, 'docs:share', sharedBack)).toEqual({
      allowed: true,
      reason: 'rule:writing-owners-share',
    });
    // The same through a group grant naming one of her roles.
    const byGroup = doc([{ subjectType: 'group', subjectId: 'writer', level: 'viewer' }]);
    expect(may(aliceWriter, 'docs:write', byGroup)).toBe(true);
    expect(may(aliceWriter, 'docs:share', byGroup)).toBe(true);
  });

  it('and in the demo policy: the owner of a document keeps write and share', () => {
    const aliceOwns = { ...q3Report, ownerId: 'alice' };
    for (const action of ['documents:read', 'documents:write', 'documents:share']) {
      expect(decide(demoPolicy, alice, action, aliceOwns, tuesdayMorning)).toEqual({
        allowed: true,
        reason: 'rule:document-owners',
      });
    }
  });

  it('applies an owner rule only when its roles and condition hold; otherwise the grant decides', () => {
    const readOnly = doc([{ subjectType: 'user', subjectId: 'alice', permissions: ['read'] }]);
    // Not a writer: `writing-owners-share` does not hold, and her grant does not give share.
    expect(decide(policy, user('alice', ['reader']), 'docs:share', readOnly)).toEqual({
      allowed: false,
      reason: 'acl:not_granted',
    });
    const shareGrant = doc([{ subjectType: 'user', subjectId: 'alice', permissions: ['share'] }]);
    expect(decide(policy, user('alice', ['reader']), 'docs:share', shareGrant)).toEqual({
      allowed: true,
      reason: 'acl:granted',
    });
  });

  it('still loses to an explicit deny rule', () => {
    const locked = doc([{ subjectType: 'user', subjectId: 'alice', permissions: ['write'] }], true);
    expect(decide(policy, aliceWriter, 'docs:write', locked)).toEqual({
      allowed: false,
      reason: 'rule:locked',
    });
  });

  it("a non-owner's grant still overrides roles, both ways", () => {
    const grants = doc([
      { subjectType: 'user', subjectId: 'bob', permissions: ['read'] },
      { subjectType: 'user', subjectId: 'carol', permissions: ['read', 'write'] },
    ]);
    // Bob's role gives write; his grant names him without it.
    expect(decide(policy, user('bob', ['writer']), 'docs:write', grants)).toEqual({
      allowed: false,
      reason: 'acl:not_granted',
    });
    // Carol's role does not give write; her grant does.
    expect(decide(policy, user('carol', ['reader']), 'docs:write', grants)).toEqual({
      allowed: true,
      reason: 'acl:granted',
    });
    // Without a grant naming them, roles decide.
    expect(decide(policy, user('eve', ['writer']), 'docs:write', grants)).toEqual({
      allowed: true,
      reason: 'role:writer',
    });
    expect(may(user('eve', ['reader']), 'docs:write', grants)).toBe(false);
    // And not owning, a non-owner gets nothing from the owner rules.
    expect(may(user('bob', ['writer']), 'docs:share', grants)).toBe(false);
  });

  it('explain shows the owner rule deciding before the ACL step', () => {
    const sharedBack = doc([{ subjectType: 'user', subjectId: 'alice', permissions: ['read'] }]);
    const result = explain(policy, aliceWriter, 'docs:write', sharedBack);
    expect(result).toMatchObject({
      allowed: true,
      reason: 'rule:owners',
      decidedBy: { source: 'rule', id: 'owners' },
    });
    expect(result.considered.map((step) => [step.source, step.id, step.outcome])).toEqual([
      ['rule', 'locked', 'not_matched'],
      ['rule', 'owners', 'matched'],
      ['acl', 'acl', 'matched'],
      ['role', 'writer', 'matched'],
    ]);
  });
});
