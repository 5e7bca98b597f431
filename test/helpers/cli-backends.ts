import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDatabase } from './fresh-postgres.js';

/** The environment one CLI test runs its `gatehouse` processes with, and how to clean it up. */
export interface CliEnvironment {
  env: Record<string, string>;
  tearDown(): Promise<void>;
}

export interface CliBackend {
  name: string;
  setUp(): Promise<CliEnvironment>;
}

/**
 * Like the HTTP suite: SQLite always (a fresh data dir), PostgreSQL + Redis too
 * when they are configured (CI): a fresh database, its own Redis prefix and secret key.
 */
export function cliBackends(tag: string): CliBackend[] {
  const sqlite: CliBackend = {
    name: 'SQLite',
    async setUp() {
      const dir = mkdtempSync(join(tmpdir(), `gatehouse-${tag}-`));
      return {
        env: { GATEHOUSE_DATA_DIR: dir },
        tearDown: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  };
  const postgresRedis: CliBackend = {
    name: 'PostgreSQL + Redis',
    async setUp() {
      const dir = mkdtempSync(join(tmpdir(), `gatehouse-${tag}-pg-`));
      const database = await freshPostgresDatabase();
      return {
        env: {
          GATEHOUSE_DATA_DIR: dir,
          DATABASE_URL: database.url,
          REDIS_URL: String(process.env.REDIS_URL),
          REDIS_PREFIX: `gh-${tag}-${randomBytes(4).toString('hex')}:`,
          GATEHOUSE_SECRET_KEY: randomBytes(32).toString('hex'),
        },
        tearDown: async () => {
          await database.drop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
  return process.env.DATABASE_URL && process.env.REDIS_URL ? [sqlite, postgresRedis] : [sqlite];
}
