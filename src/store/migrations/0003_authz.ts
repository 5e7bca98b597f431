import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Per-resource ACL grants: one row per short permission, levels expanded, as `toKyselyWhere` expects. */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('acl_grants')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('permission', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('acl_grants_pk', [
      'resource_type',
      'resource_id',
      'subject_type',
      'subject_id',
      'permission',
    ])
    .execute();
  await db.schema
    .createIndex('acl_grants_subject_idx')
    .on('acl_grants')
    .columns(['subject_type', 'subject_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['acl_grants']) {
    await db.schema.dropTable(table).execute();
  }
}
