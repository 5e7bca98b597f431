import type { FastifyReply } from 'fastify';
import { type ErrorCode, RateLimitedError, WeakPasswordError } from '../../../errors.js';
import { strings } from '../strings/index.js';
import { refusalOf as refusalCode } from '../views/refusal.js';

/** A refusal shown on the form it answers: the status of the API's problem, and words for a person. */
export interface Refusal {
  code: ErrorCode;
  status: number;
  message: string;
}

/**
 * The refusals of the sign-in forms a person can act on (wait, use another
 * password, ask for a new link), with their words: the one refusalOf of the
 * pages decides what is shown and what is thrown on; this adds what to say.
 */
export function refusalOf(
  error: unknown,
  reply: FastifyReply,
  codes: readonly ErrorCode[],
  messages: Partial<Record<ErrorCode, string>> = {},
): Refusal {
  const { code, status } = refusalCode(error, codes, reply);
  const t = strings.signIn;
  if (error instanceof RateLimitedError)
    return { code, status, message: t.tooManyAttempts(error.retryAfterSeconds) };
  if (error instanceof WeakPasswordError)
    return { code, status, message: t.weakPassword[error.rule] ?? error.message };
  if (code === 'account_banned') return { code, status, message: t.banned };
  if (code === 'email_not_verified') return { code, status, message: t.unverified };
  const fallback = error instanceof Error ? error.message : '';
  return { code, status, message: messages[code] ?? strings.errors.byCode[code] ?? fallback };
}
