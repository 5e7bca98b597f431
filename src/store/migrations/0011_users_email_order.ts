import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * The admin list sorts users by email and finds them by an email prefix, a
 * range on the address. A range is a prefix only in byte order: SQLite's
 * unique index on `email` already is (BINARY); on PostgreSQL the column
 * follows the database's collation, under which a linguistic one (en_US)
 * orders `a.z` after `a/`, so this index keeps the addresses in byte order
 * (COLLATE "C") whatever the database's collation is.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`CREATE INDEX users_email_c_idx ON users (email COLLATE "C")`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  await db.schema.dropIndex('users_email_c_idx').execute();
}
