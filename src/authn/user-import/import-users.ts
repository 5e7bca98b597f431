import type { Core } from '../../core.js';
import {
  existingEmails,
  type ImportedUserRecord,
  insertImportedUsers,
} from '../../store/repositories/user-import.js';
import { isUniqueViolation } from '../../store/unique-violation.js';
import type { RowError, SourceRecord } from './import-row.js';
import { validateRow } from './validate-row.js';

export interface ImportOptions {
  /** Parse and validate everything, look up which emails exist, write nothing. */
  dryRun: boolean;
  /** Users per transaction. */
  batchSize: number;
}

export interface ImportCounts {
  read: number;
  imported: number;
  skipped: number;
  failed: number;
}

export interface ImportListener {
  rowFailed(at: string, error: RowError): void;
  rowSkipped(at: string): void;
  /** After every batch, with the counts so far. */
  progress(counts: ImportCounts): void;
}

interface Pending {
  at: string;
  record: ImportedUserRecord;
}

/**
 * Imports users a batch at a time: each batch is one transaction of
 * multi-row inserts, so a user lands with its roles and factor or not at all.
 * An email that has an account (or came earlier in the file) is skipped, so a
 * re-run after a crash finishes what is left: idempotent and thereby
 * resumable. A bad row is reported and never stops the others.
 */
export async function importUsers(
  core: Core,
  records: AsyncIterable<SourceRecord>,
  options: ImportOptions,
  listener: ImportListener,
): Promise<ImportCounts> {
  const counts: ImportCounts = { read: 0, imported: 0, skipped: 0, failed: 0 };
  // A dry run commits nothing, so a duplicate in a later batch is only seen by remembering.
  const seenInDryRun = new Set<string>();
  let batch: Pending[] = [];

  const skip = (at: string) => {
    counts.skipped += 1;
    listener.rowSkipped(at);
  };

  async function flush(): Promise<void> {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    const now = core.clock.now();
    const existing = await existingEmails(
      core.store.db,
      current.map((p) => p.record.email),
    );
    const fresh: Pending[] = [];
    const inBatch = new Set<string>();
    for (const pending of current) {
      const email = pending.record.email;
      if (existing.has(email) || inBatch.has(email) || seenInDryRun.has(email)) skip(pending.at);
      else {
        inBatch.add(email);
        fresh.push(pending);
      }
    }
    if (options.dryRun) {
      for (const email of inBatch) seenInDryRun.add(email);
      counts.imported += fresh.length;
    } else {
      counts.imported += await write(core, fresh, now, skip);
    }
    listener.progress({ ...counts });
  }

  for await (const source of records) {
    counts.read += 1;
    if ('error' in source) {
      counts.failed += 1;
      listener.rowFailed(source.at, source.error);
      continue;
    }
    const checked = validateRow(core, source.row, core.clock.now());
    if ('error' in checked) {
      counts.failed += 1;
      listener.rowFailed(source.at, checked.error);
      continue;
    }
    batch.push({ at: source.at, record: checked.record });
    if (batch.length >= options.batchSize) await flush();
  }
  await flush();
  return counts;
}

/**
 * The batch in one transaction; when another writer took one of its emails
 * meanwhile, row by row (each its own transaction), that row skipped.
 */
async function write(
  core: Core,
  fresh: Pending[],
  now: number,
  skip: (at: string) => void,
): Promise<number> {
  if (fresh.length === 0) return 0;
  const db = core.store.db;
  try {
    await db.transaction().execute((trx) =>
      insertImportedUsers(
        trx,
        fresh.map((p) => p.record),
        now,
      ),
    );
    return fresh.length;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  let written = 0;
  for (const pending of fresh) {
    try {
      await db.transaction().execute((trx) => insertImportedUsers(trx, [pending.record], now));
      written += 1;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      skip(pending.at);
    }
  }
  return written;
}
