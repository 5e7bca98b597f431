import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { routeOrGiveBack } from './pass-unmatched.js';

/** A Node request handler; `next` as Express and Connect pass it. */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/**
 * Gatehouse as a Node request handler: `app.use(toNodeHandler(gatehouse))` (Express,
 * Connect), `http.createServer(toNodeHandler(gatehouse))`. Gatehouse keeps its own
 * paths (/auth/*, /login, …): a request it has no route for goes to `next` untouched,
 * or, without a `next` (plain node:http), gets Gatehouse's 404. A mount path is not a
 * prefix: Express's `app.use('/auth', handler)` only chooses which requests reach it,
 * and Gatehouse still sees the full path (`originalUrl`).
 */
export function toNodeHandler(gatehouse: { app: FastifyInstance }): NodeHandler {
  const { app } = gatehouse;
  return (req, res, next) => {
    if (!next) {
      app.routing(req, res);
      return;
    }
    const seenUrl = req.url;
    const fullUrl = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
    if (typeof fullUrl === 'string') req.url = fullUrl;
    routeOrGiveBack(app, req, res).then(
      (routed) => {
        if (routed) return;
        req.url = seenUrl;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}
