import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * True when `authorization` is `Bearer <token>` for the configured metrics
 * token. Both sides are hashed first, so the comparison takes the same time
 * whatever the length or the first wrong byte. No token set: nobody is.
 */
export function isMetricsScraper(token: string | undefined, authorization: unknown): boolean {
  if (token === undefined || typeof authorization !== 'string') return false;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), digest(token));
}

/** The registry in Prometheus's text format. */
export async function sendMetrics(registry: Registry, reply: FastifyReply): Promise<FastifyReply> {
  const text = await registry.metrics();
  return reply.type(registry.contentType).send(text);
}
