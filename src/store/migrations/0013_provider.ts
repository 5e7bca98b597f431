import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Gatehouse as an OpenID Provider (issue 11).
 * `oauth_payloads`: everything oidc-provider persists (codes, tokens, grants,
 * its sessions, interactions), one row per model and id, with the columns its
 * adapter looks up by (grant, user code, session uid), an expiry and a
 * consumption time, so every instance sees the same state.
 * `oauth_clients`: relying parties added with the CLI or the console; only a
 * hash of a client secret is kept.
 * `oauth_grant_sessions`: the Gatehouse session a grant was given under, so
 * ending that session (logout, ban, revoke) ends the grant and its tokens.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('oauth_payloads')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('account_id', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oauth_payloads_pkey', ['model', 'id'])
    .execute();
  for (const column of ['grant_id', 'uid', 'account_id', 'expires_at'] as const) {
    await db.schema
      .createIndex(`oauth_payloads_${column}_idx`)
      .on('oauth_payloads')
      .column(column)
      .execute();
  }
  await db.schema
    .createTable('oauth_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text')
    .addColumn('trusted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('oauth_grant_sessions')
    .addColumn('grant_id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('oauth_grant_sessions_session_idx')
    .on('oauth_grant_sessions')
    .column('session_id')
    .execute();
  await db.schema
    .createIndex('oauth_grant_sessions_user_idx')
    .on('oauth_grant_sessions')
    .column('user_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oauth_grant_sessions').execute();
  await db.schema.dropTable('oauth_clients').execute();
  await db.schema.dropTable('oauth_payloads').execute();
}
