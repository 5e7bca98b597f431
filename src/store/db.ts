import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Dialect } from './dialect.js';
import type { Database, Db } from './schema.js';
import { withStatementCache } from './sqlite-statement-cache.js';

export interface Store {
  db: Db;
  dialect: Dialect;
  /** Where the data lives, for the start-up log; never includes a password. */
  description: string;
  close(): Promise<void>;
}

const BIGINT_OID = 20;

function openPostgres(url: string): Store {
  // Times are epoch milliseconds, well inside Number's exact range.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === BIGINT_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: types as pg.CustomTypesConfig,
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safe = new URL(url);
  safe.password = '';
  return {
    db,
    dialect: 'postgres',
    description: `postgresql ${safe.host}${safe.pathname}`,
    close: () => db.destroy(),
  };
}

function openSqlite(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'gatehouse.sqlite');
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  });
  return { db, dialect: 'sqlite', description: `sqlite ${file}`, close: () => db.destroy() };
}

export const openStore = (options: { databaseUrl?: string | undefined; dataDir: string }): Store =>
  options.databaseUrl ? openPostgres(options.databaseUrl) : openSqlite(options.dataDir);
