import type { FastifyInstance } from 'fastify';

export interface FetchHandlerOptions {
  /**
   * The client's address, as the platform knows it (Fetch requests carry none). Without
   * it every request arrives from `::`, one unknown client for per-address limits and
   * the sessions list; behind a proxy, `trustProxy` then takes it from X-Forwarded-For
   * exactly as Gatehouse's own server would.
   */
  clientAddress?: (request: Request) => string | undefined;
}

/** Hop-by-hop headers of Fastify's answer, which a Fetch Response must not carry on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const UNKNOWN_CLIENT = '::';
/** Routes that answer with a stream that never ends: `inject` would buffer them forever. */
const STREAMED_PATHS = new Set(['/auth/revocations']);

const needsNodeHandler = (path: string): Response =>
  Response.json(
    {
      type: 'about:blank',
      title: 'Not Implemented',
      status: 501,
      code: 'not_implemented',
      detail: `${path} streams Server-Sent Events: mount Gatehouse with toNodeHandler for it.`,
    },
    { status: 501, headers: { 'content-type': 'application/problem+json' } },
  );

/**
 * Gatehouse as a Fetch handler (Request → Response), e.g. a Next.js route handler's
 * GET and POST. It runs the request through Fastify's `inject`, so the answer is
 * buffered: a streamed answer (Server-Sent Events) needs the Node handler instead.
 * The scheme is not known to Fastify this way: set `publicUrl`.
 */
export function toFetchHandler(
  gatehouse: { app: FastifyInstance },
  options: FetchHandlerOptions = {},
): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (STREAMED_PATHS.has(url.pathname)) return needsNodeHandler(url.pathname);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const answer = await gatehouse.app.inject({
      method: request.method as 'GET',
      url: `${url.pathname}${url.search}`,
      headers,
      ...(hasBody ? { payload: Buffer.from(await request.arrayBuffer()) } : {}),
      remoteAddress: options.clientAddress?.(request) || UNKNOWN_CLIENT,
    });
    const out = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      for (const one of Array.isArray(value) ? value : [String(value)]) out.append(name, one);
    }
    const noBody = NULL_BODY_STATUSES.has(answer.statusCode) || request.method === 'HEAD';
    return new Response(noBody ? null : new Uint8Array(answer.rawPayload), {
      status: answer.statusCode,
      headers: out,
    });
  };
}
