import type { FastifyError, FastifyInstance } from 'fastify';
import { isAuthError, RateLimitedError, UnavailableError } from '../errors.js';
import { problem, sendProblem } from './problem.js';

const frameworkCodes: Record<number, Parameters<typeof problem>[0]> = {
  400: 'invalid_request',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Every error leaves as a problem document; only unexpected ones are a 500, and they are logged. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isAuthError(error)) {
      if (error instanceof RateLimitedError || error instanceof UnavailableError)
        reply.header('retry-after', String(error.retryAfterSeconds));
      if (error instanceof UnavailableError) {
        // Expected during an outage: one line, the driver's reason, no stack.
        const reason = error.cause instanceof Error ? error.cause.message : String(error.cause);
        request.log.warn({ dependency: error.dependency, reason }, 'dependency unavailable');
      }
      return sendProblem(reply, problem(error.code, error.message));
    }
    const status = error.statusCode ?? 500;
    const code = frameworkCodes[status];
    if (code) return sendProblem(reply, problem(code, error.message));
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, problem('internal', 'Something went wrong on our side.'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`),
    ),
  );
}
