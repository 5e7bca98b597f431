import { type AccessTokenEnv, bearerAuth, requireScope } from '@gatehouse/verify/hono';
import { Hono } from 'hono';
import { describeBearerMiddleware, fromFetchResponse, REALM } from './middleware.cases.js';

describeBearerMiddleware('Hono', async (verifier) => {
  const app = new Hono<AccessTokenEnv>();
  const options = { realm: REALM };
  app.use('*', bearerAuth(verifier, options));
  app.get('/me', (c) => c.json({ sub: c.var.accessToken.sub, scope: c.var.accessToken.scope }));
  app.get('/orders', requireScope(['orders:read'], options), (c) => c.json({}));
  app.get('/admin', requireScope(['admin'], options), (c) => c.json({}));
  return {
    get: async (path, headers = {}) => fromFetchResponse(await app.request(path, { headers })),
    close: async () => undefined,
  };
});
