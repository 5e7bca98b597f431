import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import type { Db } from '../store/schema.js';

/** Waits between looks at a transaction's audit row (ms), the last one repeated. */
const LOOKS_MS = [0, 10, 50, 200, 500, 1000, 2000];
/** A transaction not committed after this long is taken for rolled back. */
const GIVE_UP_MS = 60_000;
const MAX_WATCHED = 10_000;

export interface CommitWatch {
  /**
   * Runs `then` once the audit row `auditId`, just written through `db`, is
   * committed: at once when `db` is no transaction, else when another
   * connection sees the row. A rolled-back row is never seen: `then` never runs.
   */
  afterCommit(db: Db, auditId: number, then: () => void): void;
  /** Stops watching; runs what has committed by now. */
  close(): Promise<void>;
}

/**
 * Kysely has no after-commit callback, and the audit row is written deep in
 * transactions opened in many places, so commit is observed from outside: the
 * row is looked up by its primary key. On SQLite the look waits for the one
 * connection the transaction holds, so its first answer is final; on
 * PostgreSQL a row not seen yet may still commit, so it is looked at again,
 * less and less often, for a minute.
 */
export function createCommitWatch(store: Store, logger: Logger): CommitWatch {
  const watched = new Map<number, { then: () => void; since: number }>();
  let timer: NodeJS.Timeout | undefined;
  let looks = 0;
  let looking: Promise<void> | null = null;

  async function look(final: boolean): Promise<void> {
    const ids = [...watched.keys()];
    if (ids.length === 0) return;
    const seen = await store.db
      .selectFrom('audit_events')
      .select('id')
      .where('id', 'in', ids)
      .execute();
    for (const { id } of seen) {
      watched.get(Number(id))?.then();
      watched.delete(Number(id));
    }
    // Only the ids this look asked for: a row watched since may still be in its transaction.
    const now = performance.now();
    for (const id of ids) {
      const entry = watched.get(id);
      if (entry && (final || store.dialect === 'sqlite' || now - entry.since > GIVE_UP_MS))
        watched.delete(id);
    }
  }

  function schedule(): void {
    if (timer || looking || watched.size === 0) return;
    const wait = LOOKS_MS[Math.min(looks, LOOKS_MS.length - 1)] ?? 0;
    looks += 1;
    timer = setTimeout(() => {
      timer = undefined;
      looking = look(false)
        .catch((error: unknown) => logger.warn({ err: error }, 'commit watch: lookup failed'))
        .finally(() => {
          looking = null;
          schedule();
        });
    }, wait);
    timer.unref();
  }

  return {
    afterCommit(db, auditId, then) {
      if (!db.isTransaction) return then();
      if (watched.size >= MAX_WATCHED) {
        logger.error(
          { watched: watched.size },
          'commit watch full: an event skips in-process hooks',
        );
        return;
      }
      watched.set(auditId, { then, since: performance.now() });
      looks = 0;
      schedule();
    },
    async close() {
      clearTimeout(timer);
      timer = undefined;
      await looking;
      await look(true).catch(() => watched.clear());
    },
  };
}
