import type { AddressInfo } from 'node:net';
import { accessTokenOf, bearerAuth, requireScope } from '@gatehouse/verify/express';
import express from 'express';
import { describeBearerMiddleware, fromFetchResponse, REALM } from './middleware.cases.js';

describeBearerMiddleware('Express', async (verifier) => {
  const app = express();
  const auth = bearerAuth(verifier, { realm: REALM });
  const options = { realm: REALM };
  app.get('/me', auth, (request, response) => {
    const token = accessTokenOf(request);
    response.json({ sub: token?.sub, scope: token?.scope });
  });
  app.get('/orders', auth, requireScope(['orders:read'], options), (_request, response) => {
    response.json({});
  });
  app.get('/admin', auth, requireScope(['admin'], options), (_request, response) => {
    response.json({});
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    get: async (path, headers = {}) =>
      fromFetchResponse(await fetch(`http://127.0.0.1:${port}${path}`, { headers })),
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  };
});
