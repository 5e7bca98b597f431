/**
 * The seed scenarios: four users, CMS posts, a shared document and an
 * attribute-guarded one, and orders for everyone. Runs once: a database that
 * already has alice@example.com is left alone.
 */

import type { Core } from '../../src/core.js';
import { hashPassword } from '../../src/crypto/password-hash.js';
import { checkPassword } from '../../src/crypto/password-policy.js';
import { addGrant } from '../../src/store/repositories/acl-grants.js';
import { findUserByEmail, insertUser } from '../../src/store/repositories/users.js';
import { insertDocument } from './store/documents.js';
import { migrateDemo } from './store/migrations.js';
import { insertOrder } from './store/orders.js';
import { insertPost } from './store/posts.js';

export const DEFAULT_DEMO_PASSWORD = 'lighthouse demo password 2026';

export type DemoUser = 'alice' | 'bob' | 'carol' | 'david';

/** Roles and attributes of the seeded users (attributes feed the ABAC rule of examples/policy.yaml). */
const PEOPLE: Record<DemoUser, { roles: string[]; attributes: Record<string, unknown> }> = {
  alice: { roles: ['admin'], attributes: { department: 'management', clearance: 5 } },
  bob: {
    roles: ['editor'],
    attributes: { department: 'sales', clearance: 1, editCategories: ['sports'] },
  },
  carol: { roles: ['viewer'], attributes: { department: 'engineering', clearance: 3 } },
  david: { roles: ['editor'], attributes: { department: 'engineering', clearance: 1 } },
};

export const demoEmail = (user: DemoUser): string => `${user}@example.com`;

export interface DemoSeed {
  users: Record<DemoUser, string>;
  posts: { sports: string; politics: string; davidSports: string };
  docs: { q3Report: string; handbook: string };
  orders: Record<DemoUser, string[]>;
}

/** Seeds the demo; returns the ids created, or null when it was seeded before. */
export async function seedDemo(core: Core, password: string): Promise<DemoSeed | null> {
  await migrateDemo(core);
  if (await findUserByEmail(core.store.db, demoEmail('alice'))) return null;
  let checked = password;
  for (const name of Object.keys(PEOPLE) as DemoUser[]) {
    checked = checkPassword(password, core.passwordPolicy, { email: demoEmail(name) });
  }
  const passwordHash = await hashPassword(checked, core.argon2);
  const now = core.clock.now();
  return core.store.db.transaction().execute(async (db) => {
    const users = {} as Record<DemoUser, string>;
    for (const [name, person] of Object.entries(PEOPLE) as [
      DemoUser,
      (typeof PEOPLE)[DemoUser],
    ][]) {
      const user = await insertUser(db, { email: demoEmail(name), passwordHash, ...person, now });
      users[name] = user.id;
    }
    const post = (ownerId: string, title: string, category: string) =>
      insertPost(db, { ownerId, title, body: `${title}.`, category, now });
    const posts = {
      sports: (await post(users.alice, 'Cup final tonight', 'sports')).id,
      politics: (await post(users.alice, 'Election results', 'politics')).id,
      davidSports: (await post(users.david, 'Transfer window opens', 'sports')).id,
    };
    // David owns the Q3 report, so the grants below are what each user holds:
    // ownership comes before the ACL and gives read, write and share, exactly
    // David's grant (an owner's grant only restates ownership). Owned by Alice,
    // it would give her share too, whatever her read+write grant says.
    const q3 = await insertDocument(db, {
      ownerId: users.david,
      title: 'Q3 Financial Report',
      body: 'Revenue up, costs down.',
      classification: 'confidential',
      requiredClearance: 4,
      now,
    });
    const acl: [DemoUser, string[]][] = [
      ['alice', ['read', 'write']],
      ['bob', ['read']],
      ['david', ['read', 'write', 'share']],
    ];
    for (const [name, permissions] of acl) {
      await addGrant(db, {
        resourceType: 'documents',
        resourceId: q3.id,
        subjectType: 'user',
        subjectId: users[name],
        permissions,
      });
    }
    const handbook = await insertDocument(db, {
      ownerId: users.alice,
      title: 'Engineering Handbook',
      body: 'Internal to engineering, clearance 2, business hours only.',
      classification: 'internal',
      requiredClearance: 2,
      now,
    });
    const orders = {} as Record<DemoUser, string[]>;
    for (const name of Object.keys(PEOPLE) as DemoUser[]) {
      orders[name] = [
        (await insertOrder(db, { ownerId: users[name], item: `${name}'s book`, total: 1999, now }))
          .id,
        (await insertOrder(db, { ownerId: users[name], item: `${name}'s lamp`, total: 4500, now }))
          .id,
      ];
    }
    return { users, posts, docs: { q3Report: q3.id, handbook: handbook.id }, orders };
  });
}
