import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * TOTP factors and recovery codes. A TOTP secret is sealed with the secret
 * box (the aad names the factor); a factor is pending, and expires, until a
 * first code confirms it; one confirmed factor per user. `last_used_step` is
 * the newest time step accepted: only a later one is (replay). Recovery codes
 * keep only their SHA-256; a used one keeps its row, with `used_at`.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('totp_factors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('digits', 'integer', (c) => c.notNull())
    .addColumn('period_seconds', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('pending_expires_at', 'bigint')
    .addColumn('last_used_step', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('totp_factors_user_idx')
    .on('totp_factors')
    .column('user_id')
    .execute();
  await db.schema
    .createIndex('totp_factors_one_active_idx')
    .on('totp_factors')
    .column('user_id')
    .unique()
    .where(sql.ref('confirmed_at'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('totp_factors_pending_expires_idx')
    .on('totp_factors')
    .column('pending_expires_at')
    .execute();
  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('recovery_codes_user_idx')
    .on('recovery_codes')
    .columns(['user_id', 'used_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.dropTable('totp_factors').execute();
}
