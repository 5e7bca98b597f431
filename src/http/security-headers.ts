import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';

type Headers = ReadonlyArray<readonly [string, string | number | readonly string[]]>;

/**
 * The headers helmet sets with `options`, found once on a throwaway server:
 * @fastify/helmet builds its middleware again on every request, a cost the
 * API's fixed headers do not need to pay.
 */
async function helmetHeaders(options: FastifyHelmetOptions): Promise<Headers> {
  const probe = Fastify();
  let headers: Headers = [];
  await probe.register(fastifyHelmet, options);
  probe.get('/', async (_request, reply) => {
    // Helmet writes to the raw response; Fastify's own headers come later, at send.
    headers = Object.entries(reply.raw.getHeaders()).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, value] as const],
    );
    return '';
  });
  await probe.inject('/');
  await probe.close();
  if (headers.length === 0) throw new Error('helmet set no headers');
  return headers;
}

/**
 * Helmet's headers on every response, as @fastify/helmet would set them (on
 * the raw response, so a plugin's own helmet, such as the pages' with its
 * nonces, still overrides them), computed once.
 */
export async function installSecurityHeaders(
  app: FastifyInstance,
  options: FastifyHelmetOptions,
): Promise<void> {
  const headers = await helmetHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}
