import { WEBHOOK_EVENTS } from '../config/schema.js';

export { WEBHOOK_EVENTS };

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Who the event is about: every event names the user, with their email when the account still has one. */
interface AboutUser {
  userId: string;
  email: string | null;
}

/** An administrator's user id, or null when the operator acted through the CLI. */
type Actor = string | null;

/** The `data` of each event type: non-secret facts only, the same in a webhook and in a hook. */
export interface WebhookEventData {
  'user.created': AboutUser & { provider: string | null };
  'user.email_verified': AboutUser;
  'user.banned': AboutUser & { reason: string | null; by: Actor };
  'user.unbanned': AboutUser & { by: Actor };
  'user.roles_changed': AboutUser & { roles: string[]; by: Actor };
  'user.deleted': AboutUser & { by: Actor };
  'session.revoked': AboutUser & { reason: string; sessionId: string | null; count: number };
  'password.changed': AboutUser & { via: 'change' | 'reset' };
  'mfa.enrolled': AboutUser & { method: string; factorId: string | null };
  'mfa.removed': AboutUser & { method: string; factorId: string | null };
}

/** One event, as a hook receives it and (without `id`, which is the `webhook-id` header) as a webhook's body. */
export type WebhookEvent<T extends WebhookEventType = WebhookEventType> = {
  [K in T]: {
    /** Unique per event; the same for every endpoint and every retry of it. */
    id: string;
    type: K;
    /** When the change happened (ISO 8601, UTC). */
    timestamp: string;
    data: WebhookEventData[K];
  };
}[T];

/** The JSON body of a webhook: the Standard Webhooks payload shape. */
export const webhookBody = (event: WebhookEvent): string =>
  JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
