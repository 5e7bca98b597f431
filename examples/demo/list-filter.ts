/** One WHERE clause per list: the engine's `filter` turned into SQL, so lists show exactly what `decide` allows. */
import type { Expression, SqlBool } from 'kysely';
import { filter } from '../../src/authz/filter.js';
import { toKyselyWhere } from '../../src/authz/filter-kysely.js';
import { type AccessContext, decisionContext } from '../../src/http/access.js';

export function allowedRows(
  ctx: AccessContext,
  action: string,
  resourceType: string,
  columns: Readonly<Record<string, string>>,
): Expression<SqlBool> {
  const condition = filter(
    ctx.core.policy,
    ctx.principal,
    action,
    resourceType,
    decisionContext(ctx.core, ctx.meta),
  );
  return toKyselyWhere(condition, { resourceType, columns });
}
