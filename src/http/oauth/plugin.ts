import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core.js';
import { providerHostOf } from './provider-host.js';

/** Where the provider lives; its discovery document is also served at the root, where RFC 8414 looks. */
export const PROVIDER_PREFIX = '/oauth2';
const DISCOVERY = '/.well-known/openid-configuration';

/**
 * The provider's own pages (errors, sign-out, form_post) carry no script of
 * ours: oidc-provider adds the hash of each inline script it writes to
 * script-src. Forms go back to us only, except a form_post answer, which goes
 * to the client's registered redirect URI (form-action is left to the hash-pinned script).
 */
const PROVIDER_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Gatehouse as an OpenID Provider: oidc-provider mounted under /oauth2 in an
 * encapsulation of its own. Fastify hands the untouched request to the
 * provider (which parses its own bodies and answers errors in RFC 6749's
 * format); the interaction pages live in the pages area (/authorize/:uid).
 */
export async function oauthArea(app: FastifyInstance, { core }: { core: Core }): Promise<void> {
  const host = providerHostOf(core);
  const issuer = new URL(core.issuer);
  /**
   * The provider builds every URL it hands out (discovery, the logout form,
   * the audiences it accepts in client assertions) from the request's Host
   * and forwarded headers, and sets Secure cookies only over https. It is
   * told what Gatehouse already knows instead: the issuer's host and scheme,
   * and the client address Fastify worked out under `trustProxy`. A header a
   * client sends (Host, X-Forwarded-*) is never believed by the provider.
   */
  const pinToIssuer = (req: IncomingMessage, clientIp: string) => {
    for (const name of Object.keys(req.headers))
      if (name.startsWith('x-forwarded-')) delete req.headers[name];
    req.headers.host = issuer.host;
    req.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1);
    req.headers['x-forwarded-for'] = clientIp;
  };
  const handOver = async (request: FastifyRequest, reply: FastifyReply, mountedUrl: string) => {
    const { handle } = await host.current();
    reply.hijack();
    const req = request.raw as IncomingMessage & { originalUrl?: string };
    const res = reply.raw as ServerResponse;
    for (const [name, value] of Object.entries(PROVIDER_HEADERS)) res.setHeader(name, value);
    if (issuer.protocol === 'https:') res.setHeader('strict-transport-security', HSTS);
    pinToIssuer(req, request.ip);
    req.originalUrl = req.url;
    req.url = mountedUrl;
    handle(req, res);
  };
  const rest = (url: string) => url.slice(PROVIDER_PREFIX.length) || '/';

  // One JWKS: the provider publishes the key ring's, as /.well-known/jwks.json does.
  app.get(`${PROVIDER_PREFIX}/jwks`, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(core.keys.jwks()),
  );
  app.route({
    method: ['GET', 'POST', 'OPTIONS', 'DELETE', 'PUT', 'HEAD'],
    url: `${PROVIDER_PREFIX}/*`,
    // The provider has its own defences (client authentication, PKCE, its own form tokens).
    config: { crossSitePost: true },
    onRequest: (request, reply) => handOver(request, reply, rest(request.raw.url ?? '')),
    handler: async () => undefined,
  });
  app.get(DISCOVERY, {
    onRequest: async (request, reply) => {
      // As if asked under the mount, so the endpoints it lists are under /oauth2.
      request.raw.url = `${PROVIDER_PREFIX}${request.raw.url ?? DISCOVERY}`;
      await handOver(request, reply, rest(request.raw.url));
    },
    handler: async () => undefined,
  });
}
