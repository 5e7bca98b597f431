import { CompiledQuery, type KyselyPlugin, type QueryId, sql } from 'kysely';
import { expect } from 'vitest';
import type { Store } from '../../src/store/db.js';
import type { Db } from '../../src/store/schema.js';

/**
 * A view of `db` that keeps the SQL of every query run through it, to read
 * their plans. Only queries that ran: a subquery is turned into a node too,
 * but no result comes back for it.
 */
export function recordQueries(db: Db): { db: Db; queries: CompiledQuery[] } {
  const compiled = new Map<QueryId, CompiledQuery>();
  const queries: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: ({ node, queryId }) => {
      compiled.set(queryId, db.getExecutor().compileQuery(node, queryId));
      return node;
    },
    transformResult: async ({ queryId, result }) => {
      const query = compiled.get(queryId);
      if (query) queries.push(query);
      return result;
    },
  };
  return { db: db.withPlugin(plugin), queries };
}

/**
 * The plan of a query, one line per node. SQLite: EXPLAIN QUERY PLAN.
 * PostgreSQL: EXPLAIN with sequential scans, bitmap scans and sorts priced
 * out (sorts unless `sorts`), so on small test tables the plan shows whether
 * an index can serve the query (and its order).
 */
export async function planOf(
  store: Store,
  query: CompiledQuery,
  options: { sorts?: boolean } = {},
): Promise<string[]> {
  const explain = (prefix: string) =>
    CompiledQuery.raw(`${prefix} ${query.sql}`, [...query.parameters]);
  if (store.dialect === 'sqlite') {
    const result = await store.db.executeQuery<{ detail: string }>(explain('EXPLAIN QUERY PLAN'));
    return result.rows.map((row) => row.detail);
  }
  return store.db.transaction().execute(async (trx) => {
    // Price out what hides an index's abilities on small tables: a plan that still
    // sorts or scans the table then does so because no index can serve it.
    // With `sorts`, a sort stays allowed: for a query whose order no index can give (an IN list
    // sorted by other columns), pricing it out only buys a walk of a whole index in that order.
    const settings = [
      'enable_seqscan',
      'enable_bitmapscan',
      ...(options.sorts ? [] : ['enable_sort']),
    ];
    for (const setting of settings) {
      await sql`SELECT set_config(${setting}, 'off', true)`.execute(trx);
    }
    const result = await trx.executeQuery<{ 'QUERY PLAN': string }>(explain('EXPLAIN'));
    return result.rows.map((row) => row['QUERY PLAN']);
  });
}

/**
 * Asserts the plan reads `index` and never a whole table; with `inOrder`, that
 * the rows come out of the index already sorted (no sort step before LIMIT).
 */
export function expectIndexed(
  plan: string[],
  index: string,
  options: { inOrder?: boolean } = {},
): void {
  const text = plan.join('\n');
  expect(text, text).toMatch(new RegExp(`\\b${index}\\b`));
  // SQLite: `SCAN t` alone is a full table scan (`SCAN t USING INDEX i` walks an index).
  expect(text, text).not.toMatch(/^SCAN \w+$/m);
  expect(text, text).not.toMatch(/Seq Scan/);
  if (options.inOrder) {
    expect(text, text).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    expect(text, text).not.toMatch(/\bSort\b/);
  }
}
