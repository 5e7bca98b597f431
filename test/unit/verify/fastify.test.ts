import {
  bearerAuth,
  requirePermission,
  requireRole,
  requireScope,
} from '@gatehouse/verify/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { describeBearerMiddleware, REALM, type TestApp } from './middleware.cases.js';
import { describePermissionMiddleware, REALM as POSTS_REALM } from './permission.cases.js';

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
  return served(app);
});

describePermissionMiddleware(
  'Fastify',
  { requirePermission, requireRole },
  async (verifier, policy) => {
    const app = Fastify();
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
      app.get(path, { preHandler: [auth, guard] }, async () => ({ ok: true }));
    }
    return served(app);
  },
);

async function served(app: FastifyInstance): Promise<TestApp> {
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
}
