import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AclGrant, parsePolicy, type ResourceInput } from '@gatehouse/authz';
import type { Principal } from '../../../src/principal.js';

export const examplePolicyFile = fileURLToPath(
  new URL('../../../examples/policy.yaml', import.meta.url),
);
export const demoPolicy = parsePolicy(readFileSync(examplePolicyFile, 'utf8'), examplePolicyFile);

export const user = (
  userId: string,
  roles: readonly string[],
  attributes: Record<string, unknown> = {},
  scopes?: readonly string[],
): Principal => ({ userId, roles, attributes, via: 'session', ...(scopes ? { scopes } : {}) });

export const alice = user('alice', ['admin'], { department: 'engineering', clearance: 5 });
export const bob = user('bob', ['editor'], {
  editCategories: ['sports'],
  department: 'sales',
  clearance: 1,
});
export const carol = user('carol', ['viewer'], { department: 'engineering', clearance: 1 });
export const david = user('david', ['editor'], { department: 'engineering', clearance: 3 });

export const post = (id: string, category: string): ResourceInput => ({
  type: 'posts',
  id,
  attributes: { category },
});

export const q3Grants: readonly AclGrant[] = [
  { subjectType: 'user', subjectId: 'alice', permissions: ['read', 'write'] },
  { subjectType: 'user', subjectId: 'bob', permissions: ['read'] },
  { subjectType: 'user', subjectId: 'david', level: 'owner' },
];

/** As seeded: David owns it, and his grant says no more than ownership gives. */
export const q3Report: ResourceInput = {
  type: 'documents',
  id: 'q3-financial-report',
  ownerId: 'david',
  attributes: { classification: 'confidential', requiredClearance: 4 },
  acl: q3Grants,
};

/** Tuesday 10:00 in London (GMT). */
export const tuesdayMorning = { now: new Date('2026-11-17T10:00:00Z') };
/** Tuesday 09:30 in London during BST (08:30 UTC) — inside business hours only if the zone is honoured. */
export const summerMorning = { now: new Date('2026-07-14T08:30:00Z') };
/** Tuesday 08:30 in London (GMT) — before business hours. */
export const winterEarly = { now: new Date('2026-11-17T08:30:00Z') };
/** Saturday 10:00 in London. */
export const saturday = { now: new Date('2026-11-21T10:00:00Z') };
