import { type AclGrant, decide, filter, parsePolicy, type ResourceInput } from '@gatehouse/authz';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { type Generated, Kysely, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toKyselyWhere } from '../../../src/authz/filter-kysely.js';
import type { Principal } from '../../../src/principal.js';

const policy = parsePolicy(`
version: 1
timeZone: Europe/Berlin
schedules:
  office: { days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00" }
user:
  attributes: { dept: string, level: number, cats: "string[]" }
resources:
  items:
    actions: [read, update, delete, share]
    attributes: { category: string, level: number, published: boolean }
    acl:
      levels: { viewer: [read], editor: [read, update] }
roles:
  reader: { permissions: [items:read] }
  writer: { inherits: [reader], permissions: [items:update] }
  boss: { inherits: [writer], permissions: [items:delete] }
rules:
  - id: hide-unpublished-from-readers
    effect: deny
    actions: [items:read]
    roles: [reader]
    when: not resource.published and resource.ownerId != user.id
  - id: own-categories
    effect: deny
    actions: [items:update]
    when: has user.cats and not (resource.category in user.cats)
  - id: level-read
    effect: allow
    actions: [items:read]
    when: user.level >= resource.level and resource.category in ["a", "b"]
  # Ownership rules come before ACL grants: a grant naming the owner cannot narrow them.
  - id: owners
    effect: allow
    actions: [items:read, items:update, items:share]
    owner: true
  - id: reading-owners-delete-drafts
    effect: allow
    actions: [items:delete]
    roles: [reader]
    owner: true
    when: not resource.published
  - id: eng-shares-early-week
    effect: allow
    actions: [items:share]
    when: user.dept == "eng" and env.weekday in ["mon", "tue"] and has resource.category
  - id: office-hours-deletes
    effect: deny
    actions: [items:delete]
    when: not (env.time within office) and resource.level > 2
  - id: writers-delete-small
    effect: allow
    actions: [items:delete]
    roles: [writer]
    when: resource.level < 3 or resource.category == "c" or resource.published == false
  # \`in\` under a single \`not\` (after the filter's own negation of deny rules),
  # over columns the rows leave NULL: a missing value is false, never NULL.
  - id: bosses-share-unfiled
    effect: allow
    actions: [items:share]
    roles: [boss]
    when: not (resource.category in ["a", "b"])
  - id: keep-low-levels
    effect: deny
    actions: [items:delete]
    when: resource.level in [0, 1] and not (resource.published in [true])
`);

interface Db {
  items: {
    id: string;
    owner_id: string | null;
    category: string | null;
    level: number | null;
    published: number | null;
  };
  acl_grants: {
    rowid: Generated<number>;
    resource_type: string;
    resource_id: string;
    subject_type: string;
    subject_id: string;
    permission: string;
  };
}

const ACTIONS = ['items:read', 'items:update', 'items:delete', 'items:share'];
const USER_IDS = ['u1', 'u2', 'u3'];
const GROUPS = ['g1', 'g2', 'reader', 'writer'];
const option = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const principalArb = fc.record({
  userId: fc.constantFrom(...USER_IDS),
  roles: fc.subarray(['reader', 'writer', 'boss', 'ghost']),
  dept: option(fc.constantFrom('eng', 'ops')),
  level: option(fc.integer({ min: 0, max: 5 })),
  cats: option(fc.subarray(['a', 'b', 'c'])),
  groups: option(fc.subarray(['g1', 'g2'])),
  scopes: option(fc.subarray(ACTIONS)),
});

const rowArb = fc.record({
  ownerId: option(fc.constantFrom(...USER_IDS)),
  category: option(fc.constantFrom('a', 'b', 'c')),
  level: option(fc.integer({ min: 0, max: 5 })),
  published: option(fc.boolean()),
});

const grantArb = fc.record({
  row: fc.nat({ max: 11 }),
  subjectType: fc.constantFrom('user' as const, 'group' as const),
  subject: fc.nat({ max: 3 }),
  grant: fc.oneof(
    fc.record({
      permissions: fc.subarray(['read', 'update', 'delete', 'share'], { minLength: 1 }),
    }),
    fc.record({ level: fc.constantFrom('viewer', 'editor') }),
  ),
});

const nowArb = fc.constantFrom(
  new Date('2026-11-16T09:00:00Z'), // Monday 10:00 Berlin
  new Date('2026-11-16T20:00:00Z'), // Monday 21:00 Berlin
  new Date('2026-11-19T12:00:00Z'), // Thursday 13:00
  new Date('2026-11-22T12:00:00Z'), // Sunday
);

type RawPrincipal = typeof principalArb extends fc.Arbitrary<infer T> ? T : never;

function toPrincipal(p: RawPrincipal): Principal {
  const attributes: Record<string, unknown> = {};
  if (p.dept !== undefined) attributes.dept = p.dept;
  if (p.level !== undefined) attributes.level = p.level;
  if (p.cats !== undefined) attributes.cats = p.cats;
  if (p.groups !== undefined) attributes.groups = p.groups;
  return {
    userId: p.userId,
    roles: p.roles,
    attributes,
    via: 'session',
    ...(p.scopes ? { scopes: p.scopes } : {}),
  };
}

describe('filter agrees with decide on every row (SQLite via Kysely)', () => {
  let db: Kysely<Db>;

  beforeAll(async () => {
    db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    await db.schema
      .createTable('items')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('owner_id', 'text')
      .addColumn('category', 'text')
      .addColumn('level', 'integer')
      .addColumn('published', 'integer')
      .execute();
    await db.schema
      .createTable('acl_grants')
      .addColumn('rowid', 'integer', (col) => col.primaryKey().autoIncrement())
      .addColumn('resource_type', 'text', (col) => col.notNull())
      .addColumn('resource_id', 'text', (col) => col.notNull())
      .addColumn('subject_type', 'text', (col) => col.notNull())
      .addColumn('subject_id', 'text', (col) => col.notNull())
      .addColumn('permission', 'text', (col) => col.notNull())
      .execute();
  });

  afterAll(async () => {
    await db.destroy();
  });

  it('keeps a row with a NULL column under not (… in …), as decide does', async () => {
    await db.deleteFrom('items').execute();
    await db
      .insertInto('items')
      .values({ id: 'r0', owner_id: null, category: null, level: null, published: null })
      .execute();
    const where = toKyselyWhere(
      { kind: 'not', item: { kind: 'in', attribute: 'category', values: ['a', 'b'] } },
      { resourceType: 'items', columns: { id: 'items.id', category: 'items.category' } },
    );
    const found = await db.selectFrom('items').select('id').where(where).execute();
    expect(found.map((row) => row.id)).toEqual(['r0']);
  });

  it('returns exactly the rows decide allows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 12 }),
        fc.array(grantArb, { maxLength: 14 }),
        fc.array(principalArb, { minLength: 1, maxLength: 3 }),
        nowArb,
        async (rows, grants, principals, now) => {
          const resources: ResourceInput[] = rows.map((row, index) => {
            const attributes: Record<string, unknown> = {};
            if (row.category !== undefined) attributes.category = row.category;
            if (row.level !== undefined) attributes.level = row.level;
            if (row.published !== undefined) attributes.published = row.published;
            const acl: AclGrant[] = grants
              .filter((g) => g.row === index)
              .map((g) => ({
                subjectType: g.subjectType,
                subjectId:
                  (g.subjectType === 'user' ? USER_IDS : GROUPS)[
                    g.subject % (g.subjectType === 'user' ? 3 : 4)
                  ] ?? '',
                ...g.grant,
              }));
            return {
              type: 'items',
              id: `r${index}`,
              ...(row.ownerId ? { ownerId: row.ownerId } : {}),
              attributes,
              acl,
            };
          });
          await db.deleteFrom('items').execute();
          await db.deleteFrom('acl_grants').execute();
          for (const resource of resources) {
            const attrs = resource.attributes;
            await db
              .insertInto('items')
              .values({
                id: resource.id,
                owner_id: resource.ownerId ?? null,
                category: typeof attrs.category === 'string' ? attrs.category : null,
                level: typeof attrs.level === 'number' ? attrs.level : null,
                published: typeof attrs.published === 'boolean' ? Number(attrs.published) : null,
              })
              .execute();
            for (const grant of resource.acl ?? []) {
              const permissions =
                grant.permissions ??
                policy.resourceTypes.get('items')?.aclLevels?.get(grant.level ?? '') ??
                [];
              for (const permission of permissions) {
                await db
                  .insertInto('acl_grants')
                  .values({
                    resource_type: 'items',
                    resource_id: resource.id,
                    subject_type: grant.subjectType,
                    subject_id: grant.subjectId,
                    permission,
                  })
                  .execute();
              }
            }
          }
          const context = { now };
          for (const raw of principals) {
            const principal = toPrincipal(raw);
            for (const action of ACTIONS) {
              const condition = filter(policy, principal, action, 'items', context);
              const where = toKyselyWhere(condition, {
                resourceType: 'items',
                columns: {
                  id: 'items.id',
                  ownerId: 'items.owner_id',
                  category: 'items.category',
                  level: 'items.level',
                  published: 'items.published',
                },
              });
              const found = await db
                .selectFrom('items')
                .select('id')
                .where(where)
                .orderBy('id')
                .execute();
              const expected = resources
                .filter((resource) => decide(policy, principal, action, resource, context).allowed)
                .map((resource) => resource.id)
                .sort();
              expect(
                found.map((row) => row.id),
                `${action} for ${JSON.stringify(raw)}`,
              ).toEqual(expected);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
