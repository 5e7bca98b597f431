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
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export const redisUrl = (): string | undefined =>
  backend === 'postgres' ? process.env.REDIS_URL : undefined;
