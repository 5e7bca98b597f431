import type { AuditEvent, AuditType } from '../store/repositories/audit-events.js';
import type { WebhookEventData, WebhookEventType } from './events.js';

type Detail = NonNullable<AuditEvent['detail']>;
type Facts = { userId: string; email: string | null; detail: Detail };

/** The event an audit row becomes, without its id and time. */
export type DerivedEvent = {
  [K in WebhookEventType]: { type: K; data: WebhookEventData[K] };
}[WebhookEventType];

const text = (value: Detail[string] | undefined): string | null =>
  typeof value === 'string' ? value : null;
const count = (value: Detail[string] | undefined): number =>
  typeof value === 'number' ? value : 1;
const about = ({ userId, email }: Facts) => ({ userId, email });
const factor = (facts: Facts) => ({
  ...about(facts),
  method: text(facts.detail.method) ?? 'unknown',
  factorId: text(facts.detail.factorId),
});

/**
 * Which successful audit events are events for the app, and what each tells.
 * Events are derived from the audit log, where every change is already
 * recorded once and inside its transaction, so a webhook commits or rolls
 * back with the change. `user_deleted` is the audit type of a user's deletion
 * (the operators' part of issue 12); it maps as soon as it is recorded.
 */
const DERIVE: Partial<Record<AuditType | 'user_deleted', (facts: Facts) => DerivedEvent>> = {
  register: (f) => ({
    type: 'user.created',
    data: { ...about(f), provider: text(f.detail.provider) },
  }),
  email_verified: (f) => ({ type: 'user.email_verified', data: about(f) }),
  user_banned: (f) => ({
    type: 'user.banned',
    data: { ...about(f), reason: text(f.detail.reason), by: text(f.detail.by) },
  }),
  user_unbanned: (f) => ({ type: 'user.unbanned', data: { ...about(f), by: text(f.detail.by) } }),
  roles_changed: (f) => ({
    type: 'user.roles_changed',
    data: {
      ...about(f),
      roles: (text(f.detail.roles) ?? '').split(',').filter((role) => role !== ''),
      by: text(f.detail.by),
    },
  }),
  user_deleted: (f) => ({
    type: 'user.deleted',
    data: { userId: f.userId, email: f.email ?? text(f.detail.email), by: text(f.detail.by) },
  }),
  logout: (f) => ({
    type: 'session.revoked',
    data: { ...about(f), reason: 'logout', sessionId: text(f.detail.sessionId), count: 1 },
  }),
  session_revoked: (f) => {
    const sessionId = text(f.detail.sessionId);
    const reason = text(f.detail.reason) ?? (sessionId ? 'user_revoked' : 'user_revoked_others');
    return {
      type: 'session.revoked',
      data: { ...about(f), reason, sessionId, count: count(f.detail.count) },
    };
  },
  password_change: (f) => ({ type: 'password.changed', data: { ...about(f), via: 'change' } }),
  password_reset: (f) => ({ type: 'password.changed', data: { ...about(f), via: 'reset' } }),
  factor_added: (f) => ({ type: 'mfa.enrolled', data: factor(f) }),
  factor_removed: (f) => ({ type: 'mfa.removed', data: factor(f) }),
};

/** The event type an audit event would become, before anything is looked up; null for none. */
export function eventTypeOfAudit(
  event: Pick<AuditEvent, 'type' | 'outcome' | 'userId'>,
): WebhookEventType | null {
  const derive = DERIVE[event.type];
  if (!derive || event.outcome !== 'success' || event.userId === null) return null;
  return derive({ userId: event.userId, email: null, detail: {} }).type;
}

/** The event of a successful audit event about a user, with the user's email looked up. */
export function eventOfAudit(
  event: Pick<AuditEvent, 'type' | 'detail'> & { userId: string },
  email: string | null,
): DerivedEvent | null {
  const derive = DERIVE[event.type];
  return derive ? derive({ userId: event.userId, email, detail: event.detail ?? {} }) : null;
}
