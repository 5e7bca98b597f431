import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FreshDatabase } from './backend.js';

/**
 * A brand-new database on a PostgreSQL server, whatever project the test runs
 * in (the faults project has no GATEHOUSE_TEST_DB): the shared server unless a
 * URL is given. Dropped by `drop()`; never stops or restarts the server.
 */
export async function freshPostgresDatabase(
  adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
): Promise<FreshDatabase & { url: string }> {
  const name = `gh_fault_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
