import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Two hot queries that read a whole table once it holds a million users:
 * the admin list filtered by role (`user_roles` is keyed by user first, so a
 * role alone matched every row), and the password change or reset that
 * retires a user's open login challenges (found by user).
 */
const indexes: Array<[name: string, table: string, columns: string[]]> = [
  ['user_roles_role_user_idx', 'user_roles', ['role', 'user_id']],
  ['login_challenges_user_idx', 'login_challenges', ['user_id']],
];

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  for (const [name, table, columns] of indexes) {
    await db.schema.createIndex(name).on(table).columns(columns).execute();
  }
}

export async function down(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  for (const [name] of indexes) await db.schema.dropIndex(name).execute();
}
