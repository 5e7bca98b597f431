import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Requests handed over by an embedding app, each waiting to hear whether Gatehouse routes it. */
const waiting = new WeakMap<IncomingMessage, (routed: boolean) => void>();

/**
 * Installed first, before any other hook writes a header: a request an embedding app
 * handed over that no Gatehouse route matches is given back untouched (no header
 * written, the body unread), so the app's own routes answer it. Requests that reach
 * Gatehouse's own server are never in `waiting` and meet its 404 as before.
 */
export function givesBackUnmatched(app: FastifyInstance): void {
  // A callback, not a promise: it runs on every request.
  app.addHook('onRequest', (request, reply, done) => {
    const settle = waiting.get(request.raw);
    if (settle) {
      waiting.delete(request.raw);
      if (request.is404) reply.hijack();
      settle(!request.is404);
    }
    done();
  });
}

/**
 * Routes a Node request through Gatehouse's Fastify app (`app.routing`, Fastify's
 * documented entry for a server it does not own). Resolves true once Gatehouse has
 * taken the request (it answers `res` itself), false when it has no route for it.
 */
export function routeOrGiveBack(
  app: FastifyInstance,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  return new Promise((resolve) => {
    waiting.set(req, resolve);
    // Answered before any hook ran (a malformed URL): Gatehouse took it.
    res.once('close', () => resolve(true));
    app.routing(req, res);
  });
}
