import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Webhooks (issue 12): a transactional outbox. One row per event and
 * endpoint, written in the transaction of the change its audit row records,
 * so no event is lost or sent for a change that rolled back. The delivery
 * loop of any instance claims a due row with a lease (`lease_token`, and
 * `next_attempt_at` moved to the lease's end, so a row whose sender died is
 * due again then), so two instances never send one row at once; each attempt
 * is counted and its outcome kept; the purge deletes rows by `created_at`.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** The event's id: the `webhook-id` header, the same for every endpoint and attempt. */
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_token', 'text')
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .addUniqueConstraint('webhook_deliveries_event_endpoint_key', ['event_id', 'endpoint'])
    .execute();
  // The loop's claim reads the due rows of unfinished deliveries only.
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .column('next_attempt_at')
    .where(sql<boolean>`delivered_at is null and failed_at is null`)
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_created_idx')
    .on('webhook_deliveries')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute();
}
