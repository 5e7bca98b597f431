import type { Core } from '../core.js';
import { type AuditEvent, recordAuditEvent } from '../store/repositories/audit-events.js';
import type { Db } from '../store/schema.js';
import type { RequestMeta } from './meta.js';

/** The event types, for pages that filter by them. */
export { AUDIT_TYPES, type StoredAuditEvent } from '../store/repositories/audit-events.js';

/** Records an event with the request's origin; `db` lets it join a transaction. */
export function audit(
  core: Core,
  event: Omit<AuditEvent, 'ip' | 'userAgent'>,
  meta: RequestMeta,
  db: Db = core.store.db,
): Promise<void> {
  return recordAuditEvent(
    db,
    { ...event, ip: meta.ip, userAgent: meta.userAgent },
    core.clock.now(),
  );
}
