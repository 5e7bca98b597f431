import { decide, explain, type ResourceInput } from '@gatehouse/authz';
import { describe, expect, it } from 'vitest';
import {
  alice,
  bob,
  carol,
  david,
  demoPolicy,
  post,
  q3Report,
  saturday,
  tuesdayMorning,
  user,
} from './fixtures.js';

const resources: ResourceInput[] = [
  post('p1', 'sports'),
  post('p2', 'politics'),
  q3Report,
  {
    type: 'documents',
    id: 'd2',
    ownerId: 'carol',
    attributes: { classification: 'internal', requiredClearance: 2 },
  },
  { type: 'orders', id: 'o1', ownerId: 'bob', attributes: { total: 3 } },
  { type: 'users', id: 'u', attributes: {} },
];
const principals = [
  alice,
  bob,
  carol,
  david,
  user('k', ['editor'], {}, ['posts:read']),
  user('nobody', []),
];

describe('explain', () => {
  it('reaches the same decision as decide, with the deciding step among those considered', () => {
    let checked = 0;
    for (const principal of principals) {
      for (const resource of resources) {
        for (const action of demoPolicy.permissions.keys()) {
          for (const context of [tuesdayMorning, saturday, undefined]) {
            const decision = decide(demoPolicy, principal, action, resource, context);
            const explanation = explain(demoPolicy, principal, action, resource, context);
            expect({ allowed: explanation.allowed, reason: explanation.reason }).toEqual(decision);
            if (explanation.decidedBy !== undefined) {
              expect(explanation.considered).toContain(explanation.decidedBy);
            } else {
              expect(['default_deny', 'action:unknown', 'scope:excluded']).toContain(
                decision.reason,
              );
            }
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBe(principals.length * resources.length * demoPolicy.permissions.size * 3);
  });

  it('shows why Bob may not update a politics post although his role allows it', () => {
    const result = explain(demoPolicy, bob, 'posts:update', post('p2', 'politics'));
    expect(result.decidedBy).toMatchObject({
      source: 'rule',
      id: 'edit-own-categories-only',
      effect: 'deny',
    });
    expect(result.considered).toContainEqual(
      expect.objectContaining({ source: 'role', id: 'editor', outcome: 'matched' }),
    );
  });

  it('shows ownership deciding for David on the Q3 report, before his grant', () => {
    const result = explain(demoPolicy, david, 'documents:share', q3Report, tuesdayMorning);
    expect(result).toMatchObject({
      allowed: true,
      reason: 'rule:document-owners',
      decidedBy: { source: 'rule', id: 'document-owners' },
    });
    const order = result.considered.map((step) => step.id);
    expect(order.indexOf('document-owners')).toBeLessThan(order.indexOf('acl'));
  });

  it('shows the ACL deciding for Alice on the Q3 report', () => {
    const result = explain(demoPolicy, alice, 'documents:share', q3Report, tuesdayMorning);
    expect(result).toMatchObject({
      allowed: false,
      reason: 'acl:not_granted',
      decidedBy: { source: 'acl' },
    });
  });
});
