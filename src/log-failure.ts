import { describeFailure } from './connection-errors.js';
import { UnavailableError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * How background work (timers, deferred tasks) reports a failed run. A missing
 * dependency is expected during an outage and the work is retried: one warning
 * with the driver's reason, no stack. Anything else is a bug and keeps its stack.
 */
export function logFailure(
  logger: Logger,
  message: string,
  error: unknown,
  fields: Record<string, unknown> = {},
): void {
  if (error instanceof UnavailableError) {
    const reason = describeFailure(error.cause ?? error);
    logger.warn({ ...fields, dependency: error.dependency, reason }, message);
    return;
  }
  logger.error({ ...fields, err: error }, message);
}
