import { sql } from 'kysely';
import { z } from 'zod';
import { AuthError, DEFAULT_RETRY_AFTER_SECONDS } from '../../errors.js';
import { isLoopbackAddress } from '../loopback.js';
import { isMetricsScraper, sendMetrics } from '../metrics-endpoint.js';
import { defineRoute } from '../route.js';

/** A health probe answers within this, whatever a dependency does: a hung one counts as down. */
const PROBE_TIMEOUT_MS = 1_000;

/** True when `probe` succeeds in time; false when it fails, throws or is too slow. */
async function probe(check: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  const outcome = Promise.resolve()
    .then(check)
    .then(
      (result) => result !== false,
      () => false,
    );
  try {
    return await Promise.race([outcome, late]);
  } finally {
    clearTimeout(timer);
  }
}

const dependency = z.object({ kind: z.string(), ok: z.boolean() });

const health = z.object({
  status: z.enum(['ok', 'degraded']),
  storage: dependency,
  cache: dependency,
});

export const opsRoutes = [
  defineRoute({
    method: 'GET',
    url: '/healthz',
    access: 'public',
    summary:
      'Liveness: 200 while the process serves requests; no dependency is checked (that is /readyz)',
    tags: ['ops'],
    response: z.object({ status: z.literal('ok') }),
    handler: async () => ({ status: 'ok' as const }),
  }),
  defineRoute({
    method: 'GET',
    url: '/readyz',
    access: 'public',
    summary: 'Readiness: storage and cache reachability (503 with the same body when one is down)',
    tags: ['ops'],
    response: health,
    handler: async ({ core, reply }) => {
      const [storage, cache] = await Promise.all([
        probe(() => sql`select 1 as ok`.execute(core.store.db)),
        probe(() => core.cache.ping()),
      ]);
      const ok = storage && cache;
      reply.code(ok ? 200 : 503);
      if (!ok) reply.header('retry-after', String(DEFAULT_RETRY_AFTER_SECONDS));
      return {
        status: ok ? ('ok' as const) : ('degraded' as const),
        storage: { kind: core.store.dialect, ok: storage },
        cache: { kind: core.cache.kind, ok: cache },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/metrics',
    access: 'public',
    summary:
      'Prometheus metrics, with `Authorization: Bearer <metrics.token>`; 404 when no token is set (see metrics.port)',
    tags: ['ops'],
    handler: async ({ core, request, reply }) => {
      // Not a user's credential: the scraper's, compared in constant time; without one set, there is no route.
      if (!isMetricsScraper(core.settings.metrics.token, request.headers.authorization))
        throw new AuthError('not_found', 'No route GET /metrics.');
      return sendMetrics(core.metrics.registry, reply);
    },
  }),
];

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'];

const isDirectLocalPeer = (
  peer: string | undefined,
  headers: Readonly<Record<string, unknown>>,
): boolean =>
  peer !== undefined &&
  isLoopbackAddress(peer) &&
  FORWARDING_HEADERS.every((name) => headers[name] === undefined);

export const devRoutes = [
  defineRoute({
    method: 'GET',
    url: '/dev/outbox',
    access: 'public',
    summary:
      'Mail and text messages written to the local outboxes (outside production, on a loopback listener only)',
    tags: ['dev'],
    handler: async ({ core, request }) => {
      // Listening on loopback is not enough: a reverse proxy on this machine connects from
      // 127.0.0.1 on behalf of anyone. Only a direct local peer gets the tokens.
      if (!isDirectLocalPeer(request.socket.remoteAddress, request.headers))
        throw new AuthError('not_found', 'No route GET /dev/outbox.');
      if (!core.outbox && !core.smsOutbox)
        throw new AuthError('not_found', 'Mail and text messages go out; there is no outbox.');
      await core.background.drain();
      // `messages` is the mail; `sms` the text messages (codes), when those stay local too.
      return {
        messages: (await core.outbox?.read()) ?? [],
        sms: (await core.smsOutbox?.read()) ?? [],
      };
    },
  }),
];
