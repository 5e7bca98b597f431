import type { Metrics, SignInOutcome } from '../metrics/metrics.js';
import type { AuditEvent } from '../store/repositories/audit-events.js';
import { SECOND_FACTOR_METHODS } from './mfa/second-factor.js';

/**
 * How a sign-in's first step proved who it is (a label: a few fixed values).
 * A machine's credential (HTTP Basic of a service account, an API key) signs
 * in on every request it is sent with, and counts on each.
 */
const SIGN_IN_METHODS = [
  'password',
  'passkey',
  'magic_link',
  'federated',
  'basic',
  'api_key',
] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** The first factor of RFC 8176 `amr` values, as the sign-in method that proved it. */
const methodOfAmr = (amr: string): SignInMethod | 'unknown' => {
  const first = amr.split(' ');
  if (first.includes('hwk')) return 'passkey';
  if (first.includes('fed')) return 'federated';
  if (first.includes('email')) return 'magic_link';
  if (first.includes('pwd')) return 'password';
  return 'unknown';
};

const METHODS: ReadonlySet<string> = new Set(SIGN_IN_METHODS);

function methodOf(detail: AuditEvent['detail']): SignInMethod | 'unknown' {
  const method = detail?.method;
  if (typeof method === 'string' && METHODS.has(method)) return method as SignInMethod;
  if (typeof detail?.amr === 'string') return methodOfAmr(detail.amr);
  return 'unknown';
}

const outcomeOf = (event: Pick<AuditEvent, 'outcome' | 'detail'>): SignInOutcome => {
  if (event.outcome === 'success') return 'success';
  const reason = event.detail?.reason;
  return reason === 'banned' || reason === 'email_not_verified' ? reason : 'failure';
};

const FACTORS: ReadonlySet<string> = new Set(SECOND_FACTOR_METHODS);

/**
 * Every sign-in step is audited, on every path (API and pages alike), so the
 * sign-in metrics are counted from the audit events as they are recorded.
 */
export function countAuditEvent(
  metrics: Metrics,
  event: Pick<AuditEvent, 'type' | 'outcome' | 'detail'>,
): void {
  switch (event.type) {
    case 'login':
      metrics.signIn(methodOf(event.detail), outcomeOf(event));
      return;
    case 'mfa_challenge':
      metrics.signIn(methodOf(event.detail), 'mfa_required');
      return;
    case 'upstream_sign_in':
      // Its successes go on to a `login` event; its refusals end the sign-in here.
      if (event.outcome === 'failure') metrics.signIn('federated', 'failure');
      return;
    case 'mfa_verify': {
      const factor = String(event.detail?.method ?? '');
      metrics.mfa(FACTORS.has(factor) ? factor : 'other', event.outcome);
      return;
    }
    case 'refresh_token_reuse':
      metrics.refreshReuse();
      return;
  }
}
