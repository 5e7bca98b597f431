import type { Core } from '../core.js';
import { type AuditEvent, recordAuditEvent } from '../store/repositories/audit-events.js';
import type { Db } from '../store/schema.js';
import type { RequestMeta } from './meta.js';
import { countAuditEvent } from './sign-in-metrics.js';

/** The event types, for pages that filter by them. */
export { AUDIT_TYPES, type StoredAuditEvent } from '../store/repositories/audit-events.js';

/**
 * Records an event with the request's origin; `db` lets it join a
 * transaction. The events for the app (webhooks, in-process hooks) are
 * derived here, in the same `db`: a webhook delivery commits or rolls back
 * with the change it tells of (a transactional outbox).
 */
export async function audit(
  core: Core,
  event: Omit<AuditEvent, 'ip' | 'userAgent'>,
  meta: RequestMeta,
  db: Db = core.store.db,
): Promise<void> {
  const at = core.clock.now();
  const recorded = { ...event, ip: meta.ip, userAgent: meta.userAgent };
  const id = await recordAuditEvent(db, recorded, at);
  await core.webhooks.recorded(db, id, recorded, at);
  countAuditEvent(core.metrics, event);
}
