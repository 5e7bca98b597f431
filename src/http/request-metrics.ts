import type { FastifyInstance } from 'fastify';
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

/**
 * Counts every answered request by its route template (`/admin/users/:id`,
 * never the URL: ids and tokens would make unbounded labels), method and
 * status, with its latency.
 */
export function countRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequest(
      request.routeOptions.url ?? 'unmatched',
      METHODS.has(request.method) ? request.method : 'OTHER',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}
