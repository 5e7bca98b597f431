import type { FastifyReply } from 'fastify';
import type { ErrorCode, StepUpDemand } from '../errors.js';

/** The one place where an error code becomes an HTTP status and a public title. */
export const problemCatalog: Readonly<Record<ErrorCode, { status: number; title: string }>> = {
  invalid_request: { status: 400, title: 'Invalid request' },
  weak_password: { status: 400, title: 'Password does not meet the policy' },
  unknown_role: { status: 400, title: 'Unknown role' },
  /** A mailed one-time token (verification, reset); not `invalid_token`, which gatehouse/verify answers 401. */
  invalid_link_token: { status: 400, title: 'Invalid or expired link token' },
  invalid_credentials: { status: 401, title: 'Invalid credentials' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  invalid_refresh_token: { status: 401, title: 'Invalid refresh token' },
  /** A login challenge that is unknown, expired, used or out of attempts. */
  invalid_challenge: { status: 401, title: 'Invalid or expired challenge' },
  invalid_code: { status: 401, title: 'Invalid code' },
  /** RFC 9470: the login is too old or too weak for this action. */
  step_up_required: { status: 401, title: 'Stronger or more recent authentication required' },
  account_banned: { status: 403, title: 'Account suspended' },
  /** `requireVerifiedEmail`: the first factor was right, but the email is not verified yet. */
  email_not_verified: { status: 403, title: 'Email address not verified' },
  /** A session of a role that must use a second factor, before it has one: only enrolment is open. */
  mfa_enrollment_required: { status: 403, title: 'Second factor enrolment required' },
  forbidden: { status: 403, title: 'Forbidden' },
  csrf_failed: { status: 403, title: 'CSRF check failed' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  /** An upstream sign-in whose email has an account it may not take over: sign in, then link. */
  link_required: { status: 409, title: 'Sign in and link this account first' },
  /** An upstream sign-in with no account, from a provider that does not create them. */
  no_account: { status: 403, title: 'No account for this sign-in' },
  /** The upstream provider refused or answered something that does not verify (state, code, ID token). */
  upstream_error: { status: 400, title: 'Sign-in with the provider failed' },
  already_verified: { status: 409, title: 'Email address already verified' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  request_timeout: { status: 408, title: 'Request timeout' },
  headers_too_large: { status: 431, title: 'Request header fields too large' },
  rate_limited: { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'Service unavailable' },
  invalid_config: { status: 500, title: 'Server misconfigured' },
  invalid_policy: { status: 500, title: 'Server misconfigured' },
  internal: { status: 500, title: 'Internal error' },
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  /** The request's id (also in `x-request-id` and on its log lines), set as the problem is sent. */
  requestId?: string;
}

export function problem(code: ErrorCode, detail: string): Problem {
  const { status, title } = problemCatalog[code];
  return { type: 'about:blank', title, status, code, detail };
}

/** RFC 9470 §3: the challenge names what the login lacks. */
function stepUpChallenge(demand: StepUpDemand): string {
  const params = [
    'realm="gatehouse"',
    'error="insufficient_user_authentication"',
    'error_description="A more recent or stronger authentication is required"',
  ];
  if (demand.maxAgeSeconds !== undefined) params.push(`max_age=${demand.maxAgeSeconds}`);
  if (demand.acr !== undefined) params.push(`acr_values="${demand.acr}"`);
  return `Bearer ${params.join(', ')}`;
}

export function sendStepUpRequired(
  reply: FastifyReply,
  body: Problem,
  demand: StepUpDemand,
): FastifyReply {
  reply.header('www-authenticate', stepUpChallenge(demand));
  const named = {
    ...body,
    requestId: reply.request.id,
    ...(demand.maxAgeSeconds === undefined ? {} : { maxAge: demand.maxAgeSeconds }),
    ...(demand.acr === undefined ? {} : { acrValues: demand.acr }),
  };
  return reply.code(body.status).type('application/problem+json').send(named);
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  // RFC 7617 §2.1: charset says the server decodes Basic credentials as UTF-8.
  if (body.status === 401)
    reply.header(
      'www-authenticate',
      'Bearer realm="gatehouse", Basic realm="gatehouse", charset="UTF-8"',
    );
  return reply
    .code(body.status)
    .type('application/problem+json')
    .send({ ...body, requestId: reply.request.id });
}
