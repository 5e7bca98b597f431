import { type Policy, parsePolicy } from '@gatehouse/authz';
import {
  createVerifier,
  type PermissionOptions,
  type RoleOptions,
  type Verifier,
} from '@gatehouse/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, makeKey, mint, NOW_MILLISECONDS, type TestKey } from './helpers.js';
import type { TestApp, TestResponse } from './middleware.cases.js';

/** The policy every framework's resource server loads, as Gatehouse would. */
export const POLICY_YAML = `
version: 1
resources:
  posts:
    actions: [read, write, update]
  users:
    actions: [manage]
roles:
  reader:
    permissions: [posts:read]
  editor:
    inherits: [reader]
    permissions: [posts:write, posts:update]
  admin:
    inherits: [editor]
    permissions: [users:manage]
rules:
  - id: no-weekend-updates
    effect: deny
    actions: [posts:update]
    when: env.weekday in ["sat", "sun"]
`;

export const REALM = 'posts';

/**
 * The app each framework builds, all routes after `bearerAuth`:
 * GET /posts requirePermission('posts:read'), GET /posts/write requirePermission('posts:write'),
 * GET /admin requireRole('admin', { policy }), GET /editor requireRole('editor', { policy }),
 * GET /editor-exact requireRole('editor') without the policy.
 */
export interface PermissionMiddlewares {
  requirePermission(permission: string, options: PermissionOptions): unknown;
  requireRole(role: string, options?: RoleOptions): unknown;
}

/** One suite, run against every framework's requirePermission and requireRole. */
export function describePermissionMiddleware(
  framework: string,
  middlewares: PermissionMiddlewares,
  start: (verifier: Verifier, policy: Policy) => Promise<TestApp>,
): void {
  describe(`${framework} permission middleware`, () => {
    const policy = parsePolicy(POLICY_YAML, 'policy.yaml');
    let key: TestKey;
    let app: TestApp;

    beforeAll(async () => {
      key = await makeKey('EdDSA');
      const verifier = createVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: { keys: [key.publicJwk] },
        now: () => NOW_MILLISECONDS,
      });
      app = await start(verifier, policy);
    });
    afterAll(() => app.close());

    /** A Gatehouse login token: roles, no scope, no client_id. */
    const login = (roles: string[]) => mint(key, { roles, scope: undefined });
    const get = async (path: string, token: string) =>
      app.get(path, { authorization: `Bearer ${token}` });
    const expectRefused = (response: TestResponse, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(response.header('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status, code });
    };
    const expectForbidden = (response: TestResponse) => {
      expectRefused(response, 403, 'forbidden');
      expect(response.header('www-authenticate')).toBeUndefined();
    };

    it("answers a login token's permission from its roles, inheritance included", async () => {
      expect((await get('/posts', await login(['reader']))).status).toBe(200);
      expect((await get('/posts', await login(['editor']))).status).toBe(200);
      expect((await get('/posts/write', await login(['admin']))).status).toBe(200);
    });

    it('refuses a permission no role of the token holds with 403 forbidden, no challenge', async () => {
      expectForbidden(await get('/posts/write', await login(['reader'])));
      expectForbidden(await get('/posts', await login([])));
      // A role the policy does not declare grants nothing.
      expectForbidden(await get('/posts', await login(['root', 'posts:read'])));
    });

    it('lets a token with a scope use only the permissions its scopes name', async () => {
      const narrowed = await mint(key, { roles: ['admin'], scope: 'posts:write' });
      expect((await get('/posts/write', narrowed)).status).toBe(200);
      const response = await get('/posts', narrowed);
      expectRefused(response, 403, 'insufficient_scope');
      expect(response.header('www-authenticate')).toBe(
        `Bearer realm="${REALM}", error="insufficient_scope", scope="posts:read"`,
      );
    });

    it('never lets a scope grant what the roles do not', async () => {
      const scoped = await mint(key, { roles: ['reader'], scope: 'posts:read posts:write' });
      expect((await get('/posts', scoped)).status).toBe(200);
      expectForbidden(await get('/posts/write', scoped));
    });

    it('narrows a token issued to an OAuth client to its scopes, none when it has none', async () => {
      const delegated = { client_id: 'photo-app', roles: ['admin'] };
      const withScope = await mint(key, { ...delegated, scope: 'posts:read' });
      expect((await get('/posts', withScope)).status).toBe(200);
      expectRefused(await get('/posts/write', withScope), 403, 'insufficient_scope');
      const withoutScope = await mint(key, { ...delegated, scope: undefined });
      expectRefused(await get('/posts', withoutScope), 403, 'insufficient_scope');
    });

    it('refuses a machine token (client credentials: no roles) every permission', async () => {
      const machine = await mint(key, {
        sub: 'batch-job',
        client_id: 'batch-job',
        sid: undefined,
        roles: undefined,
        scope: 'posts:read',
      });
      expectForbidden(await get('/posts', machine));
      expectForbidden(await get('/admin', machine));
    });

    it('admits a role, or a role that inherits it when the policy is given', async () => {
      expect((await get('/admin', await login(['admin']))).status).toBe(200);
      expectForbidden(await get('/admin', await login(['editor'])));
      expect((await get('/editor', await login(['admin']))).status).toBe(200);
      expectForbidden(await get('/editor', await login(['reader'])));
      // Without the policy nothing is known of inheritance: the token must name the role.
      expect((await get('/editor-exact', await login(['editor']))).status).toBe(200);
      expectForbidden(await get('/editor-exact', await login(['admin'])));
    });

    it('keeps role routes from tokens narrowed by scopes', async () => {
      const scoped = await mint(key, { roles: ['admin'], scope: 'users:manage' });
      expectForbidden(await get('/admin', scoped));
      const delegated = await mint(key, { roles: ['admin'], client_id: 'app', scope: undefined });
      expectForbidden(await get('/admin', delegated));
    });

    it('answers 401 before any permission or role when no token is sent', async () => {
      for (const path of ['/posts', '/admin', '/editor-exact']) {
        const response = await app.get(path);
        expectRefused(response, 401, 'missing_token');
        expect(response.header('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
      }
    });

    it('refuses at start-up what a token cannot answer, rather than deny it silently', () => {
      const { requirePermission, requireRole } = middlewares;
      expect(() => requirePermission('posts:reed', { policy })).toThrow(
        /declares no permission 'posts:reed'/,
      );
      expect(() => requirePermission('posts:update', { policy })).toThrow(/no-weekend-updates/);
      expect(() => requireRole('admn', { policy })).toThrow(/declares no role 'admn'/);
      expect(() => requireRole('')).toThrow(TypeError);
      const noPolicy = {} as PermissionOptions;
      expect(() => requirePermission('posts:read', noPolicy)).toThrow(TypeError);
    });
  });
}
