import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type ErrorCode,
  isAuthError,
  RateLimitedError,
  StepUpRequiredError,
  UnavailableError,
} from '../errors.js';
import { clip } from './clip.js';
import { type Problem, problem, sendProblem, sendStepUpRequired } from './problem.js';

/**
 * Fastify's own errors, with a fixed public detail each: their messages echo
 * the input (a 10,000-character path, a JSON fragment holding a password).
 */
const fastifyErrors: Record<string, [ErrorCode, string]> = {
  FST_ERR_BAD_URL: ['invalid_request', 'The URL is not valid (bad percent-encoding).'],
  FST_ERR_MAX_PARAM_LENGTH: ['invalid_request', 'A path parameter is too long.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_request', 'The body is empty but says it is JSON.'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_request', 'The body is not valid JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    'invalid_request',
    'Content-Length does not match the body.',
  ],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'Send the body as application/json.'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'The body is too large.'],
};

const byStatus: Record<number, ErrorCode> = {
  400: 'invalid_request',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** The problem for an error of Fastify or a plugin; null when it is unexpected (a 500). */
function frameworkProblem(error: FastifyError): Problem | null {
  const known = fastifyErrors[error.code];
  if (known) return problem(...known);
  const code = byStatus[error.statusCode ?? 500];
  return code ? problem(code, clip(error.message, 100)) : null;
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (isAuthError(error)) {
    if (error instanceof RateLimitedError || error instanceof UnavailableError)
      reply.header('retry-after', String(error.retryAfterSeconds));
    if (error instanceof UnavailableError) {
      // Expected during an outage: one line, the driver's reason, no stack.
      const reason = error.cause instanceof Error ? error.cause.message : String(error.cause);
      request.log.warn({ dependency: error.dependency, reason }, 'dependency unavailable');
    }
    if (error instanceof StepUpRequiredError)
      return sendStepUpRequired(reply, problem(error.code, error.message), error.demand);
    return sendProblem(reply, problem(error.code, error.message));
  }
  const known = frameworkProblem(error);
  if (known) return sendProblem(reply, known);
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, problem('internal', 'Something went wrong on our side.'));
}

/**
 * Errors of Node's HTTP parser never reach Fastify's pipeline: the socket gets
 * a raw answer. It is a problem document too. The error is logged by code
 * only: its `rawPacket` holds the request's headers, credentials included.
 */
function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const body =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? problem('headers_too_large', 'The request headers are too large.')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem('request_timeout', 'The request took too long to arrive.')
        : problem('invalid_request', 'The request is not valid HTTP.');
  this.log.debug({ code: error.code }, 'client error');
  if (socket.writable) {
    const json = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${body.status} ${body.title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy();
}

/** Fastify options that make its router's and Node's own errors problem documents. */
export const frameworkErrorOptions = {
  // These answers skip every hook, helmet's too: they carry the strictest headers themselves.
  frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(
      reply.headers({
        'x-request-id': request.id,
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
      }),
      frameworkProblem(error) ?? problem('invalid_request', 'Bad request.'),
    ),
  clientErrorHandler: answerClientError,
};

/** The API's answer to an address it does not have. */
export const sendNotFoundProblem = (request: FastifyRequest, reply: FastifyReply) =>
  sendProblem(
    reply,
    problem(
      'not_found',
      `No route ${request.method} ${clip(request.url.split('?')[0] ?? '', 100)}.`,
    ),
  );

/**
 * Every error leaves as a problem document; only unexpected ones are a 500,
 * and they are logged. An area with another format (the pages) sets its own
 * handlers, and then answers unknown addresses too.
 */
export function installErrorHandling(app: FastifyInstance, options: { notFound: boolean }): void {
  app.setErrorHandler(handleError);
  if (options.notFound) app.setNotFoundHandler(sendNotFoundProblem);
}
