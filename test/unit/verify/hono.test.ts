import {
  type AccessTokenEnv,
  bearerAuth,
  requirePermission,
  requireRole,
  requireScope,
} from '@gatehouse/verify/hono';
import { Hono } from 'hono';
import { describeBearerMiddleware, fromFetchResponse, REALM } from './middleware.cases.js';
import { describePermissionMiddleware, REALM as POSTS_REALM } from './permission.cases.js';

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

describePermissionMiddleware(
  'Hono',
  { requirePermission, requireRole },
  async (verifier, policy) => {
    const app = new Hono<AccessTokenEnv>();
    const options = { realm: POSTS_REALM };
    app.use('*', bearerAuth(verifier, options));
    app.get('/posts', requirePermission('posts:read', { policy, ...options }), (c) => c.json({}));
    app.get('/posts/write', requirePermission('posts:write', { policy, ...options }), (c) =>
      c.json({}),
    );
    app.get('/admin', requireRole('admin', { policy, ...options }), (c) => c.json({}));
    app.get('/editor', requireRole('editor', { policy, ...options }), (c) => c.json({}));
    app.get('/editor-exact', requireRole('editor', options), (c) => c.json({}));
    return {
      get: async (path, headers = {}) => fromFetchResponse(await app.request(path, { headers })),
      close: async () => undefined,
    };
  },
);
