import type { AddressInfo } from 'node:net';
import {
  accessTokenOf,
  bearerAuth,
  requirePermission,
  requireRole,
  requireScope,
} from '@gatehouse/verify/express';
import express, { type Express } from 'express';
import {
  describeBearerMiddleware,
  fromFetchResponse,
  REALM,
  type TestApp,
} from './middleware.cases.js';
import { describePermissionMiddleware, REALM as POSTS_REALM } from './permission.cases.js';

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
  return listening(app);
});

describePermissionMiddleware(
  'Express',
  { requirePermission, requireRole },
  async (verifier, policy) => {
    const app = express();
    const options = { realm: POSTS_REALM };
    const auth = bearerAuth(verifier, options);
    const routes = {
      '/posts': requirePermission('posts:read', { policy, ...options }),
      '/posts/write': requirePermission('posts:write', { policy, ...options }),
      '/admin': requireRole('admin', { policy, ...options }),
      '/editor': requireRole('editor', { policy, ...options }),
      '/editor-exact': requireRole('editor', options),
    };
    for (const [path, guard] of Object.entries(routes)) {
      app.get(path, auth, guard, (_request, response) => {
        response.json({ ok: true });
      });
    }
    return listening(app);
  },
);

async function listening(app: Express): Promise<TestApp> {
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
}
