import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Store } from './db.js';
import type { Dialect } from './dialect.js';
import * as m0001 from './migrations/0001_accounts_sessions.js';
import * as m0002 from './migrations/0002_tokens.js';
import * as m0003 from './migrations/0003_authz.js';
import * as m0004 from './migrations/0004_revocations.js';
import * as m0005 from './migrations/0005_scale_indexes.js';
import * as m0006 from './migrations/0006_sign_in_flow.js';
import * as m0007 from './migrations/0007_totp_recovery_codes.js';
import * as m0008 from './migrations/0008_passkeys.js';
import * as m0009 from './migrations/0009_sms_codes.js';
import * as m0011 from './migrations/0011_users_email_order.js';
import * as m0012 from './migrations/0012_federation.js';
import * as m0013 from './migrations/0013_provider.js';
import * as m0014 from './migrations/0014_webhooks.js';
import * as m0015 from './migrations/0015_scale_hot_paths.js';

export interface VersionedMigration {
  up(db: Parameters<Migration['up']>[0], dialect: Dialect): Promise<void>;
  down(db: Parameters<Migration['up']>[0], dialect: Dialect): Promise<void>;
}

/** Ordered by name; a new migration is a new file added here, never an edit of an old one. */
const migrations: Record<string, VersionedMigration> = {
  '0001_accounts_sessions': m0001,
  '0002_tokens': m0002,
  '0003_authz': m0003,
  '0004_revocations': m0004,
  '0005_scale_indexes': m0005,
  '0006_sign_in_flow': m0006,
  '0007_totp_recovery_codes': m0007,
  '0008_passkeys': m0008,
  '0009_sms_codes': m0009,
  '0011_users_email_order': m0011,
  '0012_federation': m0012,
  '0013_provider': m0013,
  '0014_webhooks': m0014,
  '0015_scale_hot_paths': m0015,
};

function provider(set: Record<string, VersionedMigration>, dialect: Dialect): MigrationProvider {
  const bound: Record<string, Migration> = {};
  for (const [name, migration] of Object.entries(set)) {
    bound[name] = {
      up: (db) => migration.up(db, dialect),
      down: (db) => migration.down(db, dialect),
    };
  }
  return { getMigrations: async () => bound };
}

/**
 * Applies every pending migration; returns the names applied. An embedding
 * app passes its own set and history table, so its schema evolves apart from
 * Gatehouse's (the demo in examples/ does).
 */
export async function migrateToLatest(
  store: Store,
  own: { migrations: Record<string, VersionedMigration>; historyTable: string } = {
    migrations,
    historyTable: 'gatehouse_migrations',
  },
): Promise<string[]> {
  const migrator = new Migrator({
    db: store.db,
    provider: provider(own.migrations, store.dialect),
    migrationTableName: own.historyTable,
    migrationLockTableName: `${own.historyTable}_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
