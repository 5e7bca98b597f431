import { describeFailure } from './connection-errors.js';
import type { Logger } from './logger.js';

/**
 * Says when a connection to a dependency is lost and when it is back: one line
 * each, not one per retry. Before it has first been up, a failure is the
 * start-up's to report, not this log's.
 */
export interface ConnectionLog {
  lost(error: unknown): void;
  restored(): void;
}

export function connectionLog(
  logger: Logger,
  fields: { dependency: 'database' | 'cache'; connection?: string },
): ConnectionLog {
  let state: 'new' | 'up' | 'down' = 'new';
  const name = [fields.dependency, fields.connection].filter(Boolean).join(' ');
  return {
    lost(error) {
      if (state !== 'up') return;
      state = 'down';
      logger.warn({ ...fields, reason: describeFailure(error) }, `${name} connection lost`);
    },
    restored() {
      if (state === 'down') logger.info(fields, `${name} connection restored`);
      state = 'up';
    },
  };
}
