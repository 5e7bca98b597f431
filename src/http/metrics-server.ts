import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Core } from '../core.js';
import { sendNotFoundProblem } from './error-handler.js';
import { isMetricsScraper, sendMetrics } from './metrics-endpoint.js';
import { problem, sendProblem } from './problem.js';
import { requestIdOptions, sendRequestIds } from './request-id.js';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * GET /metrics on a port of its own (`metrics.port`, bound to `metrics.host`,
 * loopback by default), for a scraper on a private network: no user routes,
 * no cookies. When `metrics.token` is set it is asked for here too; off loopback it must be.
 */
export async function startMetricsServer(core: Core): Promise<MetricsServer | undefined> {
  const { port, host, token } = core.settings.metrics;
  if (port === undefined) return undefined;
  const app = Fastify({
    loggerInstance: core.logger as FastifyBaseLogger,
    ...requestIdOptions(core.settings.trustProxy),
  });
  sendRequestIds(app);
  app.setNotFoundHandler(sendNotFoundProblem);
  app.get('/metrics', async (request, reply) => {
    if (token !== undefined && !isMetricsScraper(token, request.headers.authorization))
      return sendProblem(
        reply,
        problem('unauthenticated', 'Send the metrics token as a Bearer token.'),
      );
    return sendMetrics(core.metrics.registry, reply);
  });
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  core.logger.info({ url: `${url}/metrics` }, `metrics served at ${url}/metrics`);
  return { url, close: () => app.close() };
}
