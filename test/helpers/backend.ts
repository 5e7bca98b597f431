import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Which storage this test project runs on: set per Vitest project in vitest.config.ts. */
export const backend = process.env.GATEHOUSE_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface FreshDatabase {
  url: string | undefined;
  drop(): Promise<void>;
}

/** A brand-new PostgreSQL database per test server, dropped afterwards; nothing for SQLite. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  if (backend !== 'postgres' || !adminUrl) return { url: undefined, drop: async () => {} };
  const name = `gh_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      // pg-pool's end() resolves before its connections have closed; terminating one that is
      // still closing is an 'error' on the server's pool after the test. Let them go first.
      for (let i = 0; i < 40; i++) {
        const open = await client.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1', [
          name,
        ]);
        if (open.rowCount === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export const redisUrl = (): string | undefined =>
  backend === 'postgres' ? process.env.REDIS_URL : undefined;
