import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import type { Metrics } from '../metrics/metrics.js';

/** Methods as labels; anything else is one value, so a client cannot mint label values. */
const METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
]);

const counter =
  (metrics: Metrics, route: string) =>
  (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    metrics.httpRequest(
      route,
      METHODS.has(request.method) ? request.method : 'OTHER',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  };

/**
 * Counts every answered request by its route template (`/admin/users/:id`,
 * never the URL: ids and tokens would make unbounded labels), method and
 * status, with its latency. Each route gets its own hook, its template fixed
 * when it is registered, so a request costs the label lookup and nothing more;
 * a request no route matched counts as `unmatched`. Called before any route.
 */
export function countRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRoute', (route) => {
    const own = counter(metrics, route.url) as onResponseHookHandler;
    const existing = route.onResponse;
    route.onResponse = existing === undefined ? [own] : [...[existing].flat(), own];
  });
  const unmatched = counter(metrics, 'unmatched');
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) return unmatched(request, reply, done);
    done();
  });
}
