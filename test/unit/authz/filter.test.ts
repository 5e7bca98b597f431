import { filter } from '@gatehouse/authz';
import { describe, expect, it } from 'vitest';
import { alice, bob, carol, david, demoPolicy, tuesdayMorning, user } from './fixtures.js';

describe('filter on the demo policy', () => {
  it('is true for a role that holds the permission and no deny applies', () => {
    expect(filter(demoPolicy, carol, 'posts:read', 'posts')).toEqual({ kind: 'true' });
    expect(filter(demoPolicy, alice, 'posts:delete', 'posts')).toEqual({ kind: 'true' });
  });

  it('is false when nothing can allow, for a wrong type, or outside the scopes', () => {
    expect(filter(demoPolicy, carol, 'posts:delete', 'posts')).toEqual({ kind: 'false' });
    expect(filter(demoPolicy, alice, 'posts:read', 'documents')).toEqual({ kind: 'false' });
    expect(
      filter(demoPolicy, user('k', ['admin'], {}, ['posts:read']), 'posts:delete', 'posts'),
    ).toEqual({
      kind: 'false',
    });
  });

  it("evaluates Bob's narrowing down to a category test", () => {
    expect(filter(demoPolicy, bob, 'posts:update', 'posts')).toEqual({
      kind: 'in',
      attribute: 'category',
      values: ['sports'],
    });
    expect(filter(demoPolicy, david, 'posts:update', 'posts')).toEqual({ kind: 'true' });
  });

  it('reduces the ABAC rule to resource columns and ACL look-ups, ownership before the ACL', () => {
    const subjects = { userId: 'david', groups: ['editor'] };
    expect(filter(demoPolicy, david, 'documents:read', 'documents', tuesdayMorning)).toEqual({
      kind: 'or',
      items: [
        { kind: 'cmp', attribute: 'ownerId', op: '==', value: 'david' },
        { kind: 'aclHas', permission: 'read', subjects },
        {
          kind: 'and',
          items: [
            { kind: 'not', item: { kind: 'aclAny', subjects } },
            { kind: 'cmp', attribute: 'classification', op: '==', value: 'internal' },
            { kind: 'cmp', attribute: 'requiredClearance', op: '<=', value: 3 },
          ],
        },
      ],
    });
  });

  it('drops the ABAC branch outside business hours', () => {
    const night = { now: new Date('2026-11-17T22:00:00Z') };
    const condition = filter(demoPolicy, david, 'documents:read', 'documents', night);
    expect(JSON.stringify(condition)).not.toContain('classification');
  });
});
