import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Settings } from '../config/schema.js';
import type { AnyRoute } from './route.js';

/**
 * What a trusted origin's script may send beyond the CORS-safelisted headers: a JSON
 * body, a bearer token, and the session's CSRF token.
 */
export const CORS_ALLOWED_HEADERS = 'authorization, content-type, x-csrf-token';
/** What it may read beyond the safelisted response headers. */
const EXPOSED_HEADERS = 'retry-after, www-authenticate';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

function varyOnOrigin(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  const present = typeof vary === 'string' ? vary.split(',').map((v) => v.trim()) : [];
  if (!present.some((v) => v.toLowerCase() === 'origin' || v === '*'))
    reply.header('vary', [...present, 'Origin'].filter(Boolean).join(', '));
}

/** Each URL and the methods it is routed for, as a preflight answers them. */
function methodsByUrl(routes: readonly AnyRoute[]): Map<string, string[]> {
  const byUrl = new Map<string, string[]>();
  for (const route of routes) byUrl.set(route.url, [...(byUrl.get(route.url) ?? []), route.method]);
  return byUrl;
}

/**
 * CORS for the JSON API (`trustedOrigins`), written out because it is this small: an
 * origin in the list, compared exactly, gets its own origin echoed with credentials
 * and a preflight that allows the routed methods and {@link CORS_ALLOWED_HEADERS}.
 * Any other origin gets no CORS header at all, so its script cannot read an answer
 * (and its unsafe requests are refused before that, by the cross-origin check).
 * Every answer varies on Origin, so no cache hands one origin's answer to another.
 * With no trusted origin nothing changes: no OPTIONS routes, no headers.
 */
export function answerCors(
  api: FastifyInstance,
  settings: Settings,
  routes: readonly AnyRoute[],
): void {
  const trusted = new Set(settings.trustedOrigins);
  if (trusted.size === 0) return;
  const isTrusted = (origin: string | undefined): origin is string =>
    origin !== undefined && trusted.has(origin);
  api.addHook('onRequest', async (request, reply) => {
    varyOnOrigin(reply);
    const origin = request.headers.origin;
    if (!isTrusted(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    reply.header('access-control-expose-headers', EXPOSED_HEADERS);
  });
  for (const [url, methods] of methodsByUrl(routes)) {
    api.options(url, async (request, reply) => {
      const preflight = request.headers['access-control-request-method'] !== undefined;
      if (preflight && isTrusted(request.headers.origin)) {
        reply.header('access-control-allow-methods', methods.join(', '));
        reply.header('access-control-allow-headers', CORS_ALLOWED_HEADERS);
        reply.header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
      }
      return reply
        .code(204)
        .header('allow', [...methods, 'OPTIONS'].join(', '))
        .send();
    });
  }
}
