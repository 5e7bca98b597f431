import type { FastifyReply } from 'fastify';
import {
  type ErrorCode,
  isAuthError,
  RateLimitedError,
  WeakPasswordError,
} from '../../../errors.js';
import { problemCatalog } from '../../problem.js';
import { strings } from '../strings/index.js';

/** A refusal shown on the form it answers: the status of the API's problem, and words for a person. */
export interface Refusal {
  code: ErrorCode;
  status: number;
  message: string;
}

/**
 * The refusals of the sign-in forms a person can act on (wait, use another
 * password, ask for a new link): shown on the form. Anything else is thrown
 * on to the pages' error handler. A 429 carries Retry-After, as in the API.
 */
export function refusalOf(
  error: unknown,
  reply: FastifyReply,
  codes: readonly ErrorCode[],
  messages: Partial<Record<ErrorCode, string>> = {},
): Refusal {
  if (!isAuthError(error) || !codes.includes(error.code)) throw error;
  const { status } = problemCatalog[error.code];
  const t = strings.signIn;
  if (error instanceof RateLimitedError) {
    reply.header('retry-after', String(error.retryAfterSeconds));
    return { code: error.code, status, message: t.tooManyAttempts(error.retryAfterSeconds) };
  }
  if (error instanceof WeakPasswordError)
    return { code: error.code, status, message: t.weakPassword[error.rule] ?? error.message };
  if (error.code === 'account_banned') return { code: error.code, status, message: t.banned };
  if (error.code === 'email_not_verified')
    return { code: error.code, status, message: t.unverified };
  return {
    code: error.code,
    status,
    message: messages[error.code] ?? strings.errors.byCode[error.code] ?? error.message,
  };
}
