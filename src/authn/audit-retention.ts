import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Core } from '../core.js';
import {
  deleteAuditEvents,
  oldestAuditEventsBefore,
  type StoredAuditEvent,
} from '../store/repositories/audit-events.js';
import type { Db } from '../store/schema.js';

const DAY_MS = 86_400_000;

/** The file a run exports to: one per day (UTC) of purging, appended to by every run that day. */
export const auditExportFile = (directory: string, now: number): string =>
  join(directory, `audit-${new Date(now).toISOString().slice(0, 10)}.jsonl`);

/**
 * Appends the events as JSON lines and flushes them to disk; on any failure
 * the file is cut back to where it was, so it never holds half a batch.
 * Returns the error's code (EACCES, ENOENT...) instead of throwing.
 */
async function appendEvents(file: string, events: StoredAuditEvent[]): Promise<string | null> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let sizeBefore = 0;
  try {
    handle = await open(file, 'a', 0o600);
    sizeBefore = (await handle.stat()).size;
    await handle.writeFile(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    await handle.sync();
    return null;
  } catch (error) {
    await handle?.truncate(sizeBefore).catch(() => {});
    return (error as NodeJS.ErrnoException).code ?? 'unknown';
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** A batch whose export failed: nothing of it was deleted. */
class ExportFailed {
  constructor(readonly code: string) {}
}

/**
 * Deletes audit events older than `audit.retentionDays` (0: never), in at
 * most `purge.maxBatchesPerRun` batches of `purge.batchSize`, oldest first.
 * With `audit.exportDirectory`, each batch is appended to the day's export
 * file before it is deleted, and only the events written are deleted; a
 * failed write ends the run with one error line and deletes nothing more.
 * On PostgreSQL a batch is read, exported and deleted in one transaction
 * holding its rows, so instances purging at once share the work.
 */
export async function purgeOldAuditEvents(core: Core): Promise<number> {
  const { retentionDays, exportDirectory } = core.settings.audit;
  if (retentionDays === 0) return 0;
  const { batchSize, maxBatchesPerRun } = core.settings.purge;
  const now = core.clock.now();
  const before = now - retentionDays * DAY_MS;
  const file = exportDirectory === undefined ? null : auditExportFile(exportDirectory, now);
  const lock = core.store.dialect === 'postgres';

  const batch = async (db: Db): Promise<number> => {
    const events = await oldestAuditEventsBefore(db, before, batchSize, lock);
    if (file !== null && events.length > 0) {
      const failure = await appendEvents(file, events);
      if (failure !== null) throw new ExportFailed(failure);
    }
    return deleteAuditEvents(
      db,
      events.map((event) => event.id),
    );
  };

  let purged = 0;
  for (let run = 0; run < maxBatchesPerRun; run++) {
    let count: number;
    try {
      count = lock ? await core.store.db.transaction().execute(batch) : await batch(core.store.db);
    } catch (error) {
      if (!(error instanceof ExportFailed)) throw error;
      core.logger.error(
        { directory: exportDirectory, file, reason: error.code, purged },
        'audit export failed: the events it could not write were not purged',
      );
      break;
    }
    purged += count;
    if (count < batchSize) break;
  }
  return purged;
}
