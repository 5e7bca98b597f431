import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Settings } from '../config/schema.js';
import { logFailure } from '../log-failure.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import {
  type AttemptOutcome,
  type ClaimedDelivery,
  claimDueDeliveries,
  recordAttempt,
} from '../store/repositories/webhook-deliveries.js';
import { retryDelayMs } from './backoff.js';
import type { Endpoint } from './endpoints.js';
import { type SendResult, sendOnce } from './send.js';

/** Rows one claim takes; they are sent side by side. */
const BATCH = 20;
/** What a lease adds to the attempt's timeout: time to record the outcome. */
const LEASE_MARGIN_MS = 60_000;

export interface DeliveryLoop {
  /** Look for due deliveries now (a commit wrote some); runs after the current run if one is going. */
  nudge(): void;
  /** Sends what is due until nothing is; resolves with how many attempts were made. */
  deliverDue(): Promise<number>;
  /** Stops the timer and waits for the attempts in flight. */
  stop(): Promise<void>;
}

export interface DeliveryLoopOptions {
  store: Store;
  endpoints: readonly Endpoint[];
  settings: Settings['webhooks'];
  clock: Clock;
  logger: Logger;
}

/**
 * The background sender: every `pollIntervalSeconds`, and whenever a commit
 * wrote deliveries, it claims due rows (any instance may; a lease keeps two
 * from sending one row at once), sends each once and records the outcome: a
 * network error, a timeout, a 5xx, 408 or 429 is retried with backoff until
 * `maxAttempts`; any other answer that is not a 2xx is given up at once.
 */
export function createDeliveryLoop(options: DeliveryLoopOptions): DeliveryLoop {
  const { store, endpoints, settings, clock, logger } = options;
  const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
  const endpointIds = [...byId.keys()];
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const outcomeOf = (claimed: ClaimedDelivery, result: SendResult, now: number): AttemptOutcome => {
    if (result.ok) return { kind: 'delivered', status: result.status };
    const { status, error } = result;
    if (!result.retryable || claimed.attempt >= settings.maxAttempts)
      return { kind: 'given_up', status, error };
    return {
      kind: 'retry',
      status,
      error,
      nextAttemptAt: now + retryDelayMs(claimed.attempt, settings),
    };
  };

  async function attempt(claimed: ClaimedDelivery): Promise<void> {
    const endpoint = byId.get(claimed.endpoint);
    if (!endpoint) return;
    const timestampSeconds = Math.floor(clock.now() / 1000);
    const result = await sendOnce(
      endpoint,
      claimed,
      timestampSeconds,
      settings.timeoutSeconds * 1000,
    );
    const outcome = outcomeOf(claimed, result, clock.now());
    const fields = { endpoint: endpoint.id, eventId: claimed.eventId, attempt: claimed.attempt };
    if (outcome.kind !== 'delivered')
      logger[outcome.kind === 'given_up' ? 'warn' : 'info'](
        { ...fields, status: outcome.status, reason: outcome.error },
        outcome.kind === 'given_up' ? 'webhook given up' : 'webhook attempt failed, will retry',
      );
    if (!(await recordAttempt(store.db, claimed, outcome, clock.now())))
      logger.warn(fields, 'webhook outcome not recorded: the lease had passed to another instance');
  }

  async function deliverDue(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const now = clock.now();
      const claimed = await claimDueDeliveries(store.db, store.dialect, {
        now,
        leaseUntil: now + settings.timeoutSeconds * 1000 + LEASE_MARGIN_MS,
        leaseToken: randomUUID(),
        endpoints: endpointIds,
        limit: BATCH,
      });
      await Promise.all(claimed.map(attempt));
      attempts += claimed.length;
      if (claimed.length < BATCH || stopped) return attempts;
    }
  }

  function nudge(): void {
    if (stopped || endpointIds.length === 0) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await deliverDue().catch((error: unknown) =>
          logFailure(logger, 'webhook delivery failed', error),
        );
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  }

  const timer =
    endpointIds.length > 0 ? setInterval(nudge, settings.pollIntervalSeconds * 1000) : undefined;
  timer?.unref();
  return {
    nudge,
    deliverDue,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
