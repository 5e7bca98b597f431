import type { Updateable } from 'kysely';
import type { Dialect } from '../dialect.js';
import type { Db, WebhookDeliveriesTable } from '../schema.js';

export interface NewDelivery {
  id: string;
  eventId: string;
  endpoint: string;
  eventType: string;
  payload: string;
}

export interface ClaimedDelivery {
  id: string;
  eventId: string;
  endpoint: string;
  payload: string;
  /** This attempt's number, from 1. */
  attempt: number;
  leaseToken: string;
}

/** Writes one row per endpoint; `db` is the transaction of the change the event records. */
export async function insertDeliveries(
  db: Db,
  deliveries: readonly NewDelivery[],
  now: number,
): Promise<void> {
  if (deliveries.length === 0) return;
  await db
    .insertInto('webhook_deliveries')
    .values(
      deliveries.map((d) => ({
        id: d.id,
        event_id: d.eventId,
        endpoint: d.endpoint,
        event_type: d.eventType,
        payload: d.payload,
        created_at: now,
        next_attempt_at: now,
      })),
    )
    .execute();
}

export interface ClaimRequest {
  now: number;
  /** The claim is this instance's until then; the row is due again after it. */
  leaseUntil: number;
  leaseToken: string;
  /** Only rows of these endpoints (one removed from the settings is left alone). */
  endpoints: readonly string[];
  limit: number;
}

/**
 * Takes up to `limit` due rows in one UPDATE: their next attempt moves to
 * the lease's end and the attempt is counted, so another instance running the
 * same claim skips them. PostgreSQL locks the chosen rows with SKIP LOCKED and
 * checks `next_attempt_at` again on the row it updates; SQLite runs one write
 * at a time, so the UPDATE alone is atomic.
 */
export async function claimDueDeliveries(
  db: Db,
  dialect: Dialect,
  claim: ClaimRequest,
): Promise<ClaimedDelivery[]> {
  if (claim.endpoints.length === 0) return [];
  const rows = await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      lease_token: claim.leaseToken,
      next_attempt_at: claim.leaseUntil,
      last_attempt_at: claim.now,
    }))
    .where('id', 'in', (eb) => {
      const due = eb
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('delivered_at', 'is', null)
        .where('failed_at', 'is', null)
        .where('next_attempt_at', '<=', claim.now)
        .where('endpoint', 'in', [...claim.endpoints])
        .orderBy('next_attempt_at')
        .limit(claim.limit);
      return dialect === 'postgres' ? due.forUpdate().skipLocked() : due;
    })
    .where('next_attempt_at', '<=', claim.now)
    .where('delivered_at', 'is', null)
    .where('failed_at', 'is', null)
    .returning(['id', 'event_id', 'endpoint', 'payload', 'attempts'])
    .execute();
  return rows.map((row) => ({
    id: row.id,
    eventId: row.event_id,
    endpoint: row.endpoint,
    payload: row.payload,
    attempt: row.attempts,
    leaseToken: claim.leaseToken,
  }));
}

export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; error: string; nextAttemptAt: number }
  | { kind: 'given_up'; status: number | null; error: string };

/** Records how an attempt ended, if this claim still holds the row; false when it lost it. */
export async function recordAttempt(
  db: Db,
  claimed: Pick<ClaimedDelivery, 'id' | 'leaseToken'>,
  outcome: AttemptOutcome,
  now: number,
): Promise<boolean> {
  const changes: Updateable<WebhookDeliveriesTable> =
    outcome.kind === 'delivered'
      ? { delivered_at: now, last_status: outcome.status, last_error: null }
      : outcome.kind === 'retry'
        ? {
            next_attempt_at: outcome.nextAttemptAt,
            last_status: outcome.status,
            last_error: outcome.error,
          }
        : { failed_at: now, last_status: outcome.status, last_error: outcome.error };
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ ...changes, lease_token: null })
    .where('id', '=', claimed.id)
    .where('lease_token', '=', claimed.leaseToken)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
