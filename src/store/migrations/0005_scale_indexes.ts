import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Indexes for the hot paths at scale. Each list is read in the order of its
 * index (keyset pages stop after `limit` rows instead of sorting the table),
 * and each purge finds what expired by a range on its expiry column.
 * `id` ends the audit and user indexes because it breaks ties in the cursor.
 */
const indexes: Array<[name: string, table: string, columns: string[]]> = [
  ['audit_events_user_at_idx', 'audit_events', ['user_id', 'at', 'id']],
  ['audit_events_type_at_idx', 'audit_events', ['type', 'at', 'id']],
  ['audit_events_at_id_idx', 'audit_events', ['at', 'id']],
  ['users_created_idx', 'users', ['created_at', 'id']],
  // A user's live sessions: a range past now on the idle expiry, which never exceeds the absolute one.
  ['sessions_user_idle_idx', 'sessions', ['user_id', 'idle_expires_at']],
  ['sessions_idle_idx', 'sessions', ['idle_expires_at']],
  ['one_time_tokens_expires_idx', 'one_time_tokens', ['expires_at']],
  ['api_keys_expires_idx', 'api_keys', ['expires_at']],
];

/** Replaced by the wider indexes above, which serve every query they served. */
const superseded: Array<[name: string, table: string, columns: string[]]> = [
  ['audit_events_at_idx', 'audit_events', ['at']],
  ['sessions_user_idx', 'sessions', ['user_id']],
];

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  for (const [name, table, columns] of indexes) {
    await db.schema.createIndex(name).on(table).columns(columns).execute();
  }
  for (const [name] of superseded) await db.schema.dropIndex(name).execute();
}

export async function down(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  for (const [name, table, columns] of superseded) {
    await db.schema.createIndex(name).on(table).columns(columns).execute();
  }
  for (const [name] of indexes) await db.schema.dropIndex(name).execute();
}
