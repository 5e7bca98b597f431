/**
 * Turns a FilterCondition into a Kysely WHERE expression, so a list query
 * returns exactly the rows `decide` would allow, in one query.
 *
 *   const where = toKyselyWhere(filter(policy, principal, 'documents:read', 'documents', ctx), {
 *     resourceType: 'documents',
 *     columns: { id: 'documents.id', ownerId: 'documents.owner_id', classification: 'documents.classification' },
 *   });
 *   await db.selectFrom('documents').selectAll().where(where).execute();
 *
 * ACL grants live in `acl_grants(resource_type, resource_id, subject_type,
 * subject_id, permission)`, one row per short permission (levels expanded).
 * Comparisons and `IN` lists are guarded with `IS NOT NULL` so a missing
 * attribute is false, never NULL, and NOT behaves as it does in `decide`.
 */

import type { AclSubjects, CompareOp, FilterCondition, LiteralValue } from '@gatehouse/authz';
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';

export interface KyselyFilterOptions {
  readonly resourceType: string;
  /** Resource attribute (and `id`, `ownerId`) → column reference such as `posts.category`. `id` is required for ACL conditions. */
  readonly columns: Readonly<Record<string, string>>;
  /** Table of grants; defaults to `acl_grants`. */
  readonly aclTable?: string;
}

const SQL_OPS: Readonly<Record<CompareOp, string>> = {
  '==': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

export function toKyselyWhere(
  condition: FilterCondition,
  options: KyselyFilterOptions,
): Expression<SqlBool> {
  return build(condition, options);
}

function build(condition: FilterCondition, options: KyselyFilterOptions): RawBuilder<SqlBool> {
  switch (condition.kind) {
    case 'true':
      return sql<SqlBool>`1 = 1`;
    case 'false':
      return sql<SqlBool>`1 = 0`;
    case 'and':
    case 'or': {
      const parts = condition.items.map((item) => build(item, options));
      return sql<SqlBool>`(${sql.join(parts, condition.kind === 'and' ? sql` and ` : sql` or `)})`;
    }
    case 'not':
      return sql<SqlBool>`not (${build(condition.item, options)})`;
    case 'cmp': {
      const column = columnOf(condition.attribute, options);
      return sql<SqlBool>`(${column} is not null and ${column} ${sql.raw(SQL_OPS[condition.op])} ${literal(condition.value)})`;
    }
    case 'in': {
      const column = columnOf(condition.attribute, options);
      return sql<SqlBool>`(${column} is not null and ${column} in (${sql.join(condition.values.map(literal))}))`;
    }
    case 'has':
      return sql<SqlBool>`(${columnOf(condition.attribute, options)} is not null)`;
    case 'aclHas':
      return aclExists(
        options,
        condition.subjects,
        sql`and gatehouse_acl.permission = ${condition.permission}`,
      );
    case 'aclAny':
      return aclExists(options, condition.subjects, sql``);
  }
}

function aclExists(
  options: KyselyFilterOptions,
  subjects: AclSubjects,
  extra: RawBuilder<unknown>,
): RawBuilder<SqlBool> {
  const groups =
    subjects.groups.length === 0
      ? sql``
      : sql` or (gatehouse_acl.subject_type = 'group' and gatehouse_acl.subject_id in (${sql.join([...subjects.groups])}))`;
  return sql<SqlBool>`exists (select 1 from ${sql.table(options.aclTable ?? 'acl_grants')} as gatehouse_acl
    where gatehouse_acl.resource_type = ${options.resourceType}
    and gatehouse_acl.resource_id = ${columnOf('id', options)}
    and ((gatehouse_acl.subject_type = 'user' and gatehouse_acl.subject_id = ${subjects.userId})${groups})
    ${extra})`;
}

function columnOf(attribute: string, options: KyselyFilterOptions): RawBuilder<unknown> {
  const column = options.columns[attribute];
  if (column === undefined)
    throw new TypeError(`no column mapped for resource attribute '${attribute}'`);
  return sql.ref(column);
}

/** Booleans are inlined (TRUE/FALSE work in SQLite ≥ 3.23 and PostgreSQL); other values are bound. */
const literal = (value: LiteralValue): RawBuilder<unknown> =>
  typeof value === 'boolean' ? sql.lit(value) : sql`${value}`;
