import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { loadDocsAssets } from './assets.js';
import { docsPage } from './page.js';

/**
 * The page's CSP. Scripts: only those carrying this answer's nonce (the
 * viewer's bundle and the line that starts it), no eval. Styles: our
 * stylesheet only (Swagger UI sets element styles through the DOM, which
 * style-src does not govern). Images: this origin and data: URIs, the one
 * thing the viewer forces (its stylesheet draws its icons as data: SVGs).
 * Requests: this origin only (the document, and "Try it out").
 */
const contentSecurityPolicy = (nonce: string): string =>
  [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');

/** GET /docs: the API reference, rendered by Swagger UI from /openapi.json, every file from this server. */
export async function docsArea(app: FastifyInstance): Promise<void> {
  const { names, files } = loadDocsAssets();
  app.get('/docs', async (_request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', contentSecurityPolicy(nonce))
      .send(docsPage(names, nonce));
  });
  app.get(
    '/docs/assets/:name',
    async (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
      const file = files.get(request.params.name);
      if (!file) return reply.callNotFound();
      return reply
        .type(file.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(file.body);
    },
  );
}
