import type { Core } from '../core.js';
import { logFailure } from '../log-failure.js';
import { purgeExpired } from './purge.js';

/**
 * Runs the purge every `purge.intervalSeconds` (0: never). A run still going
 * when the next is due is not doubled; a failed run is logged, and the next
 * one tries again. `stop` waits for a run in flight, so shutdown does not
 * close the database under it.
 */
export function schedulePurge(core: Core): { stop(): Promise<void> } {
  const { intervalSeconds } = core.settings.purge;
  if (intervalSeconds === 0) return { stop: async () => {} };
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = purgeExpired(core)
      .then((counts) => {
        if (Object.values(counts).some((n) => n > 0))
          core.logger.info({ purged: counts }, 'purged expired rows');
      })
      .catch((error: unknown) => logFailure(core.logger, 'purge failed', error))
      .finally(() => {
        running = null;
      });
  }, intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
