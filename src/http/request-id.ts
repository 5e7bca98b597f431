import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Settings } from '../config/schema.js';

/** An id a trusted proxy sent is kept only when it cannot forge a log line or bloat one. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

const ID_BYTES = 8;
/** Ids drawn from one batch of random bytes, each byte used once: a randomBytes call per request was 7% of GET /auth/me. */
const BATCH_BYTES = ID_BYTES * 512;
let batch = Buffer.alloc(0);
let used = 0;

const newRequestId = (): string => {
  if (used + ID_BYTES > batch.length) {
    batch = randomBytes(BATCH_BYTES);
    used = 0;
  }
  used += ID_BYTES;
  return batch.toString('hex', used - ID_BYTES, used);
};

/** A safe incoming `x-request-id` (a trusted proxy's, to follow a request across hops), else a new one. */
const keptOrNewRequestId = (incoming: unknown): string =>
  typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : newRequestId();

/**
 * Fastify options: every request gets its id before anything logs (`reqId` on each line).
 * An incoming id is kept only behind a trusted proxy (`trustProxy` set): from anyone else
 * it would let a client make its log lines pass for another request's.
 */
export const requestIdOptions = (trustProxy: Settings['trustProxy']) => ({
  // The header is read by genReqId, checked; Fastify's own reading would take any value.
  requestIdHeader: false as const,
  genReqId:
    trustProxy === false
      ? newRequestId
      : (request: { headers: Record<string, unknown> }) =>
          keptOrNewRequestId(request.headers['x-request-id']),
});

/** Every answer says its request's id, so a user's report finds its log lines. */
export function sendRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}
