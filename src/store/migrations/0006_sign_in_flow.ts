import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Sign-in as a flow: a session records how strongly it was authenticated
 * (`acr`, beside the existing `amr` and `auth_time`) and whether it is limited
 * to enrolling a second factor; a first factor that needs a second one leaves
 * a short-lived, single-use challenge (only its hash stored).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('sessions')
    .addColumn('acr', 'text', (c) => c.notNull().defaultTo(sql`'aal1'`))
    .execute();
  await db.schema.alterTable('sessions').addColumn('restriction', 'text').execute();
  await db.schema
    .createTable('login_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('login_challenges_expires_idx')
    .on('login_challenges')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('login_challenges').execute();
  await db.schema.alterTable('sessions').dropColumn('restriction').execute();
  await db.schema.alterTable('sessions').dropColumn('acr').execute();
}
