/** Synthetic data for the authorization bench: the demo policy's users, posts and shared documents. */

import type { AclGrant, ResourceInput } from '../src/authz/resource.js';
import type { Principal } from '../src/principal.js';

export const CATEGORIES = ['sports', 'politics', 'tech', 'culture'];
const DOC_PERMISSIONS = ['read', 'write', 'share'];

export interface Request {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: ResourceInput;
}

/** A small deterministic PRNG (mulberry32), so every run benches the same data. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeData(userCount: number, resourceCount: number, seed = 42) {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const users: Principal[] = [];
  for (let i = 0; i < userCount; i += 1) {
    const r = rand();
    const role = r < 0.05 ? 'admin' : r < 0.35 ? 'editor' : 'viewer';
    const attributes: Record<string, unknown> = {
      department: pick(['engineering', 'sales', 'finance']),
      clearance: Math.floor(rand() * 5),
    };
    if (role === 'editor' && rand() < 0.5) attributes.editCategories = [pick(CATEGORIES)];
    users.push({ userId: `u${i}`, roles: [role], attributes, via: 'session' });
  }
  const posts: ResourceInput[] = [];
  const documents: ResourceInput[] = [];
  for (let i = 0; i < resourceCount; i += 1) {
    if (i % 5 < 3) {
      posts.push({ type: 'posts', id: `p${i}`, attributes: { category: pick(CATEGORIES) } });
      continue;
    }
    const acl: AclGrant[] = [];
    const grantCount = Math.floor(rand() * 4);
    for (let g = 0; g < grantCount; g += 1) {
      const permissions = DOC_PERMISSIONS.filter(() => rand() < 0.5);
      acl.push({
        subjectType: 'user',
        subjectId: pick(users).userId,
        permissions: permissions.length ? permissions : ['read'],
      });
    }
    documents.push({
      type: 'documents',
      id: `d${i}`,
      ownerId: pick(users).userId,
      attributes: {
        classification: pick(['internal', 'confidential', 'public']),
        requiredClearance: Math.floor(rand() * 5),
      },
      acl,
    });
  }
  /** Pure RBAC: post actions no rule mentions. */
  const rbac = (count: number): Request[] =>
    Array.from({ length: count }, () => ({
      principal: pick(users),
      action: pick(['posts:create', 'posts:read', 'posts:delete']),
      resource: pick(posts),
    }));
  /** The demo mix: RBAC, the Sports deny rule on updates, ACL documents with the ABAC read rule. */
  const mixed = (count: number): Request[] =>
    Array.from({ length: count }, () => {
      const principal = pick(users);
      if (rand() < 0.5) {
        return {
          principal,
          action: pick(['posts:read', 'posts:update', 'posts:delete']),
          resource: pick(posts),
        };
      }
      // Bias document requests towards users named in the ACL, as real traffic is.
      const resource = pick(documents);
      const named = resource.acl?.[0];
      const who =
        named && rand() < 0.5 ? (users[Number(named.subjectId.slice(1))] ?? principal) : principal;
      return {
        principal: who,
        action: pick(['documents:read', 'documents:write', 'documents:share']),
        resource,
      };
    });
  return { users, posts, documents, rbac, mixed };
}
