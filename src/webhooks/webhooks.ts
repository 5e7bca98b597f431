import { randomBytes, randomUUID } from 'node:crypto';
import type { BackgroundTasks } from '../background.js';
import type { Clock } from '../clock.js';
import type { Settings } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import type { AuditEvent } from '../store/repositories/audit-events.js';
import { findUserById } from '../store/repositories/users.js';
import { insertDeliveries } from '../store/repositories/webhook-deliveries.js';
import type { Db } from '../store/schema.js';
import { createCommitWatch } from './commit-watch.js';
import { createDeliveryLoop } from './delivery-loop.js';
import type { Endpoint } from './endpoints.js';
import { type WebhookEvent, webhookBody } from './events.js';
import { eventOfAudit, eventTypeOfAudit } from './from-audit.js';
import { createHookRunner, type EventHooks, type EventHooksOption } from './hooks.js';

/** Events for the app: webhooks to its endpoints and hooks in this process. */
export interface Webhooks {
  /** `core.events`: add in-process hooks. */
  readonly events: EventHooks;
  /**
   * Called by `audit()` with the row it has just written through `db` (the
   * change's transaction, or not): writes the event's deliveries through the
   * same `db`, and once that commits starts the hooks and the sender.
   */
  recorded(db: Db, auditId: number, event: AuditEvent, at: number): Promise<void>;
  /** Sends what is due now (the loop does it by itself; for tests and embedders that want it sooner). */
  deliverDue(): Promise<number>;
  close(): Promise<void>;
}

export interface WebhooksOptions {
  settings: Settings['webhooks'];
  /** Read and checked at start-up (resolveEndpoints). */
  endpoints: readonly Endpoint[];
  store: Store;
  clock: Clock;
  logger: Logger;
  background: BackgroundTasks;
  hooks?: EventHooksOption | undefined;
}

const newEventId = () => `evt_${randomBytes(16).toString('hex')}`;

export function createWebhooks(options: WebhooksOptions): Webhooks {
  const { settings, endpoints, store, clock, logger, background } = options;
  const hooks = createHookRunner(background, options.hooks);
  const loop = createDeliveryLoop({ store, endpoints, settings, clock, logger });
  const watch = createCommitWatch(store, logger);
  return {
    events: hooks,
    async recorded(db, auditId, audit, at) {
      const type = eventTypeOfAudit(audit);
      const userId = audit.userId;
      if (type === null || userId === null) return;
      const targets = endpoints.filter((endpoint) => endpoint.wants(type));
      const hooked = hooks.wants(type);
      if (targets.length === 0 && !hooked) return;
      const user = await findUserById(db, userId);
      const derived = eventOfAudit({ ...audit, userId }, user?.email ?? null);
      if (!derived) return;
      const event = {
        id: newEventId(),
        timestamp: new Date(at).toISOString(),
        ...derived,
      } as WebhookEvent;
      const payload = webhookBody(event);
      await insertDeliveries(
        db,
        targets.map((endpoint) => ({
          id: randomUUID(),
          eventId: event.id,
          endpoint: endpoint.id,
          eventType: type,
          payload,
        })),
        at,
      );
      watch.afterCommit(db, auditId, () => {
        if (hooked) hooks.emit(event);
        if (targets.length > 0) loop.nudge();
      });
    },
    deliverDue: () => loop.deliverDue(),
    async close() {
      await watch.close();
      await loop.stop();
    },
  };
}
