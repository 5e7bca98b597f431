import type { Selectable } from 'kysely';
import { type Page, type PageRequest, toPage } from '../page.js';
import type { AuditEventsTable, Db } from '../schema.js';

/** Every kind of audit event, for filters that offer them. */
export const AUDIT_TYPES = [
  'login',
  'logout',
  'register',
  'password_change',
  'password_reset',
  'email_verified',
  'session_revoked',
  'user_banned',
  'user_unbanned',
  'roles_changed',
  'user_deleted',
  'password_reset_sent',
  'refresh_token_reuse',
  'mfa_challenge',
  'mfa_verify',
  'factor_added',
  'factor_removed',
  'recovery_code_used',
  'magic_link_sent',
  'sms_sent',
  'reauthenticated',
  'passkey_counter_regression',
  'identity_linked',
  'identity_unlinked',
  'upstream_sign_in',
  'app_authorized',
  'client_registered',
  'client_deleted',
  'client_secret_rotated',
  'users_imported',
] as const;

export type AuditType = (typeof AUDIT_TYPES)[number];

export interface AuditEvent {
  type: AuditType;
  outcome: 'success' | 'failure';
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Structured, non-secret facts: a reason, a target id, the acting admin. */
  detail?: Record<string, string | number | boolean | null>;
}

export interface StoredAuditEvent extends AuditEvent {
  id: number;
  at: number;
}

/** Writes the event; returns its id (the commit watch of webhooks looks it up by it). */
export async function recordAuditEvent(db: Db, event: AuditEvent, now: number): Promise<number> {
  const row = await db
    .insertInto('audit_events')
    .values({
      at: now,
      type: event.type,
      outcome: event.outcome,
      user_id: event.userId,
      ip: event.ip,
      user_agent: event.userAgent,
      detail: JSON.stringify(event.detail ?? {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

const toStoredEvent = (row: Selectable<AuditEventsTable>): StoredAuditEvent => ({
  id: Number(row.id),
  at: row.at,
  type: row.type as AuditType,
  outcome: row.outcome,
  userId: row.user_id,
  ip: row.ip,
  userAgent: row.user_agent,
  detail: JSON.parse(row.detail) as AuditEvent['detail'],
});

export interface AuditFilter {
  userId?: string | undefined;
  type?: string | undefined;
  outcome?: AuditEvent['outcome'] | undefined;
  /** Events at or after this instant (epoch ms). */
  from?: number | undefined;
  /** Events before this instant (epoch ms), not at it. */
  to?: number | undefined;
}

/**
 * Newest first, by (at, id), one keyset page at a time; `from` continues with
 * the events older than it. The user and type filters have their index
 * (migration 0005), whose second column, `at`, also serves the time range;
 * the outcome (two values) is a filter on the rows the index reads.
 */
export async function listAuditEvents(
  db: Db,
  filter: AuditFilter,
  page: PageRequest,
): Promise<Page<StoredAuditEvent>> {
  let query = db
    .selectFrom('audit_events')
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (filter.userId) query = query.where('user_id', '=', filter.userId);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<', filter.to);
  const from = page.from;
  if (from) {
    const id = Number(from.id);
    if (!Number.isSafeInteger(id)) throw new TypeError('an audit position has a numeric id');
    query = query.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('at', 'id'), '<', tuple(from.at, id)),
    );
  }
  const events = (await query.execute()).map(toStoredEvent);
  return toPage(events, page.limit, (event) => ({ at: event.at, id: String(event.id) }));
}

/**
 * The oldest events before `before`, at most `limit`, oldest first: a range
 * on audit_events_at_id_idx, so a batch costs `limit` rows whatever the
 * backlog. With `lock` (PostgreSQL, inside a transaction) the rows stay
 * locked until it ends and rows another instance holds are skipped, so two
 * purging instances never export the same event.
 */
export async function oldestAuditEventsBefore(
  db: Db,
  before: number,
  limit: number,
  lock: boolean,
): Promise<StoredAuditEvent[]> {
  const query = db
    .selectFrom('audit_events')
    .selectAll()
    .where('at', '<', before)
    .orderBy('at')
    .orderBy('id')
    .limit(limit);
  return (await (lock ? query.forUpdate().skipLocked() : query).execute()).map(toStoredEvent);
}

/** Deletes exactly these events; returns how many went. */
export async function deleteAuditEvents(db: Db, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.deleteFrom('audit_events').where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
