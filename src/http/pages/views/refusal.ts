import type { FastifyReply } from 'fastify';
import { type ErrorCode, isAuthError, RateLimitedError } from '../../../errors.js';
import { problemCatalog } from '../../problem.js';

export interface Refusal {
  status: number;
  code: ErrorCode;
}

/**
 * A refusal the person can act on (a wrong code, a weak password, too many
 * tries): its code and HTTP status, for the form to show. Anything else is
 * thrown on, to the error pages. Given the reply, a 429 carries Retry-After, as in the API.
 */
export function refusalOf(
  error: unknown,
  codes: readonly ErrorCode[],
  reply?: FastifyReply,
): Refusal {
  if (!isAuthError(error) || !codes.includes(error.code)) throw error;
  if (reply && error instanceof RateLimitedError)
    reply.header('retry-after', String(error.retryAfterSeconds));
  return { status: problemCatalog[error.code].status, code: error.code };
}
