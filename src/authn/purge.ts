import type { Core } from '../core.js';
import { purgeExpiredRows, type PurgeCounts as StoredPurgeCounts } from '../store/purge.js';
import { purgeOldAuditEvents } from './audit-retention.js';

export interface PurgeCounts extends StoredPurgeCounts {
  /** Audit events older than `audit.retentionDays` (exported first when `audit.exportDirectory` is set). */
  auditEvents: number;
}

/**
 * Deletes sessions (with their refresh tokens), one-time tokens and API keys
 * that expired more than `purge.graceSeconds` ago, webhook deliveries
 * older than `webhooks.retentionDays`, and audit events older than
 * `audit.retentionDays` (when set). Revoked and expired
 * sessions stay that long for the audit trail (the revocation feed reads its
 * own table, pruned by the feed). Safe to run on every instance at once.
 */
export async function purgeExpired(core: Core): Promise<PurgeCounts> {
  const { graceSeconds, batchSize, maxBatchesPerRun } = core.settings.purge;
  const now = core.clock.now();
  const counts = await purgeExpiredRows(core.store.db, {
    expiredBefore: now - graceSeconds * 1000,
    webhookDeliveriesBefore: now - core.settings.webhooks.retentionDays * 86_400_000,
    batchSize,
    maxBatchesPerRun,
  });
  return { ...counts, auditEvents: await purgeOldAuditEvents(core) };
}
