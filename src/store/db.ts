import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type ConnectionLog, connectionLog } from '../connection-log.js';
import { createLogger, type Logger } from '../logger.js';
import type { Metrics, PoolStats } from '../metrics/metrics.js';
import type { Dialect } from './dialect.js';
import { isDatabaseOutage } from './outage.js';
import { type ConnectionUsage, withOutageErrors } from './outage-dialect.js';
import type { Database, Db } from './schema.js';
import { withStatementCache } from './sqlite-statement-cache.js';

export interface Store {
  db: Db;
  dialect: Dialect;
  /** Where the data lives, for the start-up log; never includes a password. */
  description: string;
  /** Connections in use, idle, and callers waiting for one (the metrics' pool gauges). */
  pool(): PoolStats;
  close(): Promise<void>;
}

/** What the store reports to the metrics; absent for the CLI's one-off commands. */
type StoreMetrics = Pick<Metrics, 'databaseError'>;

const BIGINT_OID = 20;

const outageHooks = (link: ConnectionLog, metrics: StoreMetrics | undefined) => ({
  isOutage: isDatabaseOutage,
  onOutage: (error: unknown) => link.lost(error),
  onAnswer: () => link.restored(),
  ...(metrics ? { onError: metrics.databaseError } : {}),
});

function openPostgres(url: string, link: ConnectionLog, metrics?: StoreMetrics): Store {
  // Times are epoch milliseconds, well inside Number's exact range.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === BIGINT_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Waiting for a connection is bounded: a request gets a 503, not a hang.
    connectionTimeoutMillis: 5_000,
    types: types as pg.CustomTypesConfig,
  });
  // A restart or pg_terminate_backend errors idle clients (and a checked-out
  // one between queries); unheard, those 'error' events would kill the process.
  // The pool drops such clients and connects anew on the next query.
  pool.on('error', (error) => link.lost(error));
  pool.on('connect', (client) => client.on('error', (error) => link.lost(error)));
  const db = new Kysely<Database>({
    dialect: withOutageErrors(new PostgresDialect({ pool }), outageHooks(link, metrics)),
  });
  const safe = new URL(url);
  safe.password = '';
  return {
    db,
    dialect: 'postgres',
    description: `postgresql ${safe.host}${safe.pathname}`,
    pool: () => ({
      inUse: pool.totalCount - pool.idleCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    close: () => db.destroy(),
  };
}

function openSqlite(dataDir: string, link: ConnectionLog, metrics?: StoreMetrics): Store {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'gatehouse.sqlite');
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // One connection, taken in turn (Kysely's mutex): in use or idle, and who waits for it.
  const usage: ConnectionUsage = { held: 0, acquiring: 0 };
  const db = new Kysely<Database>({
    dialect: withOutageErrors(
      new SqliteDialect({ database: withStatementCache(database) }),
      outageHooks(link, metrics),
      usage,
    ),
  });
  return {
    db,
    dialect: 'sqlite',
    description: `sqlite ${file}`,
    pool: () => ({ inUse: usage.held, idle: 1 - usage.held, waiting: usage.acquiring }),
    close: () => db.destroy(),
  };
}

/** Opens the store; outages and recoveries are logged on `logger`, one line each. */
export function openStore(
  options: { databaseUrl?: string | undefined; dataDir: string },
  logger: Logger = createLogger('silent'),
  metrics?: StoreMetrics,
): Store {
  const link = connectionLog(logger, { dependency: 'database' });
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, link, metrics)
    : openSqlite(options.dataDir, link, metrics);
}
