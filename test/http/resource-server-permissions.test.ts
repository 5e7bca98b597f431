import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadPolicy } from '@gatehouse/authz';
import { createVerifier } from '@gatehouse/verify';
import { bearerAuth, requirePermission, requireRole } from '@gatehouse/verify/express';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, refreshWith, type TokenUser, tokenUser } from '../helpers/tokens.js';

/**
 * A real Gatehouse and a real Express resource server that load the same policy
 * file (examples/policy.yaml: viewer → editor → admin). The resource server
 * verifies Gatehouse's tokens through the JWKS and answers permissions and roles
 * from the token alone, without calling Gatehouse.
 */
const POLICY_FILE = join(import.meta.dirname, '../../examples/policy.yaml');

let gatehouse: TestServer;
let resourceServer: Server;
let api: string;
let admin: TokenUser;

beforeAll(async () => {
  gatehouse = await startTestServer({ settings: { policyFile: POLICY_FILE } });
  const policy = await loadPolicy(POLICY_FILE);
  const verifier = createVerifier({
    issuer: gatehouse.core.issuer,
    audience: gatehouse.core.settings.tokens.audience,
    jwksUrl: `${gatehouse.url}/.well-known/jwks.json`,
  });
  const app = express();
  app.use(bearerAuth(verifier, { realm: 'posts' }));
  const ok = (_request: express.Request, response: express.Response) => {
    response.json({ ok: true });
  };
  app.get('/posts', requirePermission('posts:read', { policy }), ok);
  app.post('/posts', requirePermission('posts:create', { policy }), ok);
  app.delete('/posts/1', requirePermission('posts:delete', { policy }), ok);
  app.get('/admin', requireRole('admin', { policy }), ok);
  app.get('/editors', requireRole('editor', { policy }), ok);
  resourceServer = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => resourceServer.once('listening', resolve));
  api = `http://127.0.0.1:${(resourceServer.address() as AddressInfo).port}`;
  admin = await tokenUser(gatehouse, { roles: ['admin'] });
});

afterAll(async () => {
  await new Promise<void>((resolve) => resourceServer.close(() => resolve()));
  await gatehouse.stop();
});

const call = (method: string, path: string, token: string) =>
  fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

/** The status of each route for one token. */
async function answers(token: string): Promise<Record<string, number | undefined>> {
  const routes = [
    ['GET', '/posts'],
    ['POST', '/posts'],
    ['DELETE', '/posts/1'],
    ['GET', '/admin'],
    ['GET', '/editors'],
  ] as const;
  const statuses = await Promise.all(
    routes.map(async ([method, path]) => (await call(method, path, token)).status),
  );
  return Object.fromEntries(routes.map(([method, path], i) => [`${method} ${path}`, statuses[i]]));
}

/** Replaces a user's roles through the admin API, then refreshes their token. */
async function newRolesAndToken(user: TokenUser, roles: string[]): Promise<string> {
  const changed = await admin.client.put(`/admin/users/${user.userId}/roles`, { roles });
  expect(changed.status).toBe(200);
  const refreshed = await refreshWith(gatehouse, user.refreshToken);
  expect(refreshed.status).toBe(200);
  user.refreshToken = refreshed.body.refreshToken ?? user.refreshToken;
  return refreshed.body.accessToken;
}

describe('a resource server answering permissions from Gatehouse login tokens', () => {
  it("answers a viewer's permitted route 200 and the rest 403 forbidden", async () => {
    const viewer = await tokenUser(gatehouse, { roles: ['viewer'], delivery: 'body' });
    expect(await answers(viewer.accessToken)).toEqual({
      'GET /posts': 200,
      'POST /posts': 403,
      'DELETE /posts/1': 403,
      'GET /admin': 403,
      'GET /editors': 403,
    });
    const refused = await call('DELETE', '/posts/1', viewer.accessToken);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('lets an admin through every route, the inherited permissions and role included', async () => {
    expect(await answers(admin.accessToken)).toEqual({
      'GET /posts': 200,
      'POST /posts': 200,
      'DELETE /posts/1': 200,
      'GET /admin': 200,
      'GET /editors': 200,
    });
  });

  it('follows a role change with the next token, both ways', async () => {
    const user = await tokenUser(gatehouse, { roles: ['viewer'], delivery: 'body' });
    const promoted = await newRolesAndToken(user, ['editor']);
    expect(claimsOf(promoted).roles).toEqual(['editor']);
    expect(await answers(promoted)).toEqual({
      'GET /posts': 200,
      'POST /posts': 200,
      'DELETE /posts/1': 403,
      'GET /admin': 403,
      'GET /editors': 200,
    });
    const demoted = await newRolesAndToken(user, []);
    expect(await answers(demoted)).toEqual({
      'GET /posts': 403,
      'POST /posts': 403,
      'DELETE /posts/1': 403,
      'GET /admin': 403,
      'GET /editors': 403,
    });
  });

  it('answers 401 before any permission without a token, and for a token with forged roles', async () => {
    const none = await fetch(`${api}/posts`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="posts"');
    const viewer = await tokenUser(gatehouse, { roles: ['viewer'] });
    const [header, payload, signature] = viewer.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] }));
    const forged = `${header}.${forgedPayload.toString('base64url')}.${signature}`;
    const response = await call('GET', '/admin', forged);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});
