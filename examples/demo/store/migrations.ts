import type { Kysely } from 'kysely';
import type { Core } from '../../../src/core.js';
import { migrateToLatest, type VersionedMigration } from '../../../src/store/migrate.js';

/** The demo's tables: resources with an owner and their policy attributes. Kept apart from Gatehouse's schema. */
const demoTables: VersionedMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('posts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('documents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('classification', 'text')
      .addColumn('required_clearance', 'integer')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('orders')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('item', 'text', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    for (const table of ['posts', 'documents', 'orders']) {
      await db.schema.createIndex(`${table}_owner_idx`).on(table).column('owner_id').execute();
    }
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['orders', 'documents', 'posts'])
      await db.schema.dropTable(table).execute();
  },
};

export const migrateDemo = (core: Core): Promise<string[]> =>
  migrateToLatest(core.store, {
    migrations: { '0001_demo_tables': demoTables },
    historyTable: 'demo_migrations',
  });
