import { logFailure } from './log-failure.js';
import type { Logger } from './logger.js';

/** Work that must not hold up a response, and that may never pile up without bound. */
export interface BackgroundTasks {
  /**
   * Starts `task` on the next turn of the event loop, so it never runs before
   * the response being produced has been written; refused (and logged) when
   * too much is already pending.
   */
  run(label: string, task: () => Promise<void>): void;
  /** Resolves when everything started so far has finished, or after `timeoutMs` (what was left is logged). */
  drain(timeoutMs?: number): Promise<void>;
}

const MAX_PENDING = 1_000;

export function createBackgroundTasks(logger: Logger): BackgroundTasks {
  const pending = new Set<Promise<void>>();
  return {
    run(label, task) {
      if (pending.size >= MAX_PENDING) {
        logger.error({ label, pending: pending.size }, 'background work refused: too much pending');
        return;
      }
      const running: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(task)
        .catch((error: unknown) => logFailure(logger, 'background work failed', error, { label }))
        .finally(() => pending.delete(running));
      pending.add(running);
    },
    async drain(timeoutMs = 20_000) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
        timer.unref();
      });
      const settled = (async () => {
        // Work may start more work (a reset writes, then mails): loop until none is left.
        while (pending.size > 0) await Promise.all([...pending]);
      })();
      const outcome = await Promise.race([settled, deadline]);
      clearTimeout(timer);
      if (outcome === 'timeout')
        logger.error({ pending: pending.size }, 'background work abandoned at shutdown');
    },
  };
}
