// A resource server that trusts Gatehouse's access tokens without calling it
// per request: keys come from the JWKS (cached, refetched on an unknown kid),
// revocations from the Redis feed when REDIS_URL is set.
//
//   GATEHOUSE_URL=http://localhost:8080 node --import tsx examples/resource-server/main.ts
//   curl -H "authorization: Bearer $ACCESS_TOKEN" http://localhost:8090/api/hello

import {
  createRevocationFeedSubscriber,
  createRevocationSet,
  createVerifier,
} from '@gatehouse/verify';
import { bearerAuth } from '@gatehouse/verify/fastify';
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const gatehouse = process.env.GATEHOUSE_URL ?? 'http://localhost:8080';
const revocations = createRevocationSet();
if (process.env.REDIS_URL) {
  // Gatehouse publishes on `<REDIS_PREFIX>revocations`; the default prefix is `gatehouse:`.
  const subscriber = new Redis(process.env.REDIS_URL);
  const feed = createRevocationFeedSubscriber(revocations);
  subscriber.on('message', (_channel: string, message: string) => feed.handle(message));
  await subscriber.subscribe(`${process.env.REDIS_PREFIX ?? 'gatehouse:'}revocations`);
}

const verifier = createVerifier({
  issuer: process.env.GATEHOUSE_ISSUER ?? gatehouse,
  audience: process.env.GATEHOUSE_AUDIENCE ?? 'gatehouse',
  jwksUrl: `${gatehouse}/.well-known/jwks.json`,
  revocation: revocations,
});

const app = Fastify({ logger: true });
app.addHook('preHandler', bearerAuth(verifier, { realm: 'example' }));
app.get('/api/hello', async (request) => ({
  hello: request.accessToken?.sub,
  roles: request.accessToken?.roles,
}));
app.get('/api/admin', async (request, reply) => {
  if (!request.accessToken?.roles.includes('admin')) {
    return reply
      .code(403)
      .type('application/problem+json')
      .send({ status: 403, title: 'Forbidden', code: 'forbidden', detail: 'admin only' });
  }
  return { secret: 'admins only' };
});
await app.listen({ port: Number(process.env.PORT ?? 8090), host: '127.0.0.1' });
