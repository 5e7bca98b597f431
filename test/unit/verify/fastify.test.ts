import { bearerAuth, requireScope } from '@gatehouse/verify/fastify';
import Fastify from 'fastify';
import { describeBearerMiddleware, REALM } from './middleware.cases.js';

describeBearerMiddleware('Fastify', async (verifier) => {
  const app = Fastify();
  const auth = bearerAuth(verifier, { realm: REALM });
  const options = { realm: REALM };
  app.get('/me', { preHandler: auth }, async (request) => ({
    sub: request.accessToken?.sub,
    scope: request.accessToken?.scope,
  }));
  app.get(
    '/orders',
    { preHandler: [auth, requireScope(['orders:read'], options)] },
    async () => ({}),
  );
  app.get('/admin', { preHandler: [auth, requireScope(['admin'], options)] }, async () => ({}));
  await app.ready();
  return {
    async get(path, headers = {}) {
      const response = await app.inject({ method: 'GET', url: path, headers });
      const header = response.headers;
      return {
        status: response.statusCode,
        header: (name) => {
          const value = header[name];
          return value === undefined ? undefined : String(value);
        },
        body: response.json(),
      };
    },
    close: () => app.close(),
  };
});
