/**
 * The HTTP target of bench/verify.ts, run in its own process so the load
 * generator does not share its event loop. argv: mode ('bare' | 'protected'
 * | 'protected-uncached'), issuer, audience, JWKS as JSON. Sends its port
 * to the parent over IPC.
 */
import type { AddressInfo } from 'node:net';
import { createRevocationSet, createVerifier } from '@gatehouse/verify';
import { bearerAuth } from '@gatehouse/verify/fastify';
import Fastify from 'fastify';
import type { JSONWebKeySet } from 'jose';

const [mode, issuer, audience, jwksJson] = process.argv.slice(2);
if (
  mode === undefined ||
  issuer === undefined ||
  audience === undefined ||
  jwksJson === undefined
) {
  throw new TypeError('usage: verify-target.ts <mode> <issuer> <audience> <jwks>');
}

const app = Fastify({ logger: false });
if (mode === 'bare') {
  app.get('/resource', async () => ({ ok: true }));
} else if (mode === 'noop-hook') {
  // What Fastify's hook machinery alone costs, to read the protected figure against.
  app.get('/resource', { preHandler: (_request, _reply, done) => done() }, async () => ({
    ok: true,
  }));
} else {
  const verifier = createVerifier({
    issuer,
    audience,
    jwks: JSON.parse(jwksJson) as JSONWebKeySet,
    revocation: createRevocationSet(),
    cache: { maxEntries: mode === 'protected' ? 10_000 : 0 },
  });
  app.decorateRequest('accessToken', undefined);
  app.get('/resource', { preHandler: bearerAuth(verifier) }, async () => ({ ok: true }));
}
await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ port: (app.server.address() as AddressInfo).port });
process.on('disconnect', () => {
  void app.close().then(() => process.exit(0));
});
