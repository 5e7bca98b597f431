import type { Core } from '../core.js';
import { type PurgeCounts, purgeExpiredRows } from '../store/purge.js';

export type { PurgeCounts };

/**
 * Deletes sessions (with their refresh tokens), one-time tokens and API keys
 * that expired more than `purge.graceSeconds` ago, and webhook deliveries
 * older than `webhooks.retentionDays`. Revoked and expired
 * sessions stay that long for the audit trail (the revocation feed reads its
 * own table, pruned by the feed). Safe to run on every instance at once.
 */
export function purgeExpired(core: Core): Promise<PurgeCounts> {
  const { graceSeconds, batchSize, maxBatchesPerRun } = core.settings.purge;
  const now = core.clock.now();
  return purgeExpiredRows(core.store.db, {
    expiredBefore: now - graceSeconds * 1000,
    webhookDeliveriesBefore: now - core.settings.webhooks.retentionDays * 86_400_000,
    batchSize,
    maxBatchesPerRun,
  });
}
