import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * The durable record of every revocation (session, user cut-off, role change,
 * API key), in commit order of its id: each instance keeps the id of the last
 * one it applied and reloads what came after. And a per-user roles version, so
 * a role change cuts off exactly the tokens that carry the old roles.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('revocations')
    .addColumn('id', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
      dialect === 'postgres'
        ? c.primaryKey().generatedByDefaultAsIdentity()
        : // AUTOINCREMENT: an id is never reused after a purge, so the cursor only moves forward.
          c.primaryKey().autoIncrement(),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('cutoff_at', 'bigint', (c) => c.notNull())
    .addColumn('roles_version', 'integer')
    .addColumn('until_at', 'bigint', (c) => c.notNull())
    .execute();
  // Start-up loads, and the purge deletes, by expiry.
  await db.schema
    .createIndex('revocations_until_idx')
    .on('revocations')
    .column('until_at')
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('roles_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('roles_version').execute();
  await db.schema.dropTable('revocations').execute();
}
