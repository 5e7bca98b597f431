import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * SMS as a second factor: a verified phone number per account (one at most),
 * and the codes sent to it. A code is for confirming a new number (`setup`,
 * which carries the number until it is confirmed) or for a login challenge
 * (`login`, bound to that challenge). Only a keyed hash of the code is stored.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('sms_factors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) =>
      c.notNull().unique().references('users.id').onDelete('cascade'),
    )
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema
    .createTable('sms_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('challenge_id', 'text', (c) =>
      c.references('login_challenges.id').onDelete('cascade'),
    )
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('sms_codes_user_purpose_idx')
    .on('sms_codes')
    .columns(['user_id', 'purpose', 'created_at'])
    .execute();
  await db.schema
    .createIndex('sms_codes_challenge_idx')
    .on('sms_codes')
    .column('challenge_id')
    .execute();
  await db.schema
    .createIndex('sms_codes_expires_idx')
    .on('sms_codes')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sms_codes').execute();
  await db.schema.dropTable('sms_factors').execute();
}
