import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { type AnyRoute, defineRoute } from '../../src/http/route.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

interface Operation {
  'x-access': unknown;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

async function operations(): Promise<Array<{ method: string; path: string; access: unknown }>> {
  const doc = await new Client(server.url).get<OpenApi>('/openapi.json');
  expect(doc.status).toBe(200);
  return Object.entries(doc.body.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      access: op['x-access'],
    })),
  );
}

/** Any method with any body (fetch refuses a body on GET), as a careless or hostile client sends it. */
function rawRequest(
  method: string,
  path: string,
  body: string | Buffer,
  contentType: string,
): Promise<{ status: number; contentType: string; code: unknown }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${server.url}${path}`,
      {
        method,
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += String(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type']),
            code: (JSON.parse(text) as { code?: unknown }).code,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const concrete = (path: string) =>
  path.replace(/\{[^}]+\}/g, '00000000-0000-0000-0000-000000000000');

describe('every route is guarded', () => {
  it('declares its access on every operation in the OpenAPI document', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(10);
    for (const op of ops) {
      expect(op.access, `${op.method} ${op.path}`).toBeDefined();
    }
  });

  it('answers 401 with WWW-Authenticate on every non-public route without credentials', async () => {
    const ops = (await operations()).filter((op) => op.access !== 'public');
    expect(ops.length).toBeGreaterThan(5);
    const anonymous = new Client(server.url);
    for (const op of ops) {
      const response = await anonymous.request(op.method, concrete(op.path), {
        ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { json: {} }),
      });
      const label = `${op.method} ${op.path}`;
      expect(response.status, label).toBe(401);
      expect(response.headers.get('www-authenticate'), label).toMatch(/Bearer/);
      expect(response.headers.get('content-type'), label).toMatch(/application\/problem\+json/);
      expect(response.body.code, label).toBe('unauthenticated');
    }
  });

  it('answers 401 before reading the body: any body, malformed, empty, oversized, any type', async () => {
    const ops = (await operations()).filter((op) => op.access !== 'public');
    const bodies: Array<[string, string | Buffer, string]> = [
      ['a JSON object', '{"name":"x","roles":[]}', 'application/json'],
      ['malformed JSON', '{"name": "x", ', 'application/json'],
      ['an empty JSON body', '', 'application/json'],
      ['a body over the limit', Buffer.alloc(70 * 1024, 'a'), 'application/json'],
      ['a wrong content type', '<x/>', 'application/xml'],
    ];
    for (const op of ops) {
      for (const [what, body, type] of bodies) {
        const response = await rawRequest(op.method, concrete(op.path), body, type);
        const label = `${op.method} ${op.path} with ${what}`;
        expect(response.status, label).toBe(401);
        expect(response.contentType, label).toMatch(/application\/problem\+json/);
        expect(response.code, label).toBe('unauthenticated');
      }
    }
  });

  it('answers 401, not 400, when an anonymous request is also malformed', async () => {
    const ops = (await operations()).filter(
      (op) => op.access !== 'public' && op.method !== 'GET' && op.method !== 'DELETE',
    );
    for (const op of ops) {
      const response = await new Client(server.url).request(op.method, concrete(op.path), {
        json: { unexpected: 'x'.repeat(300) },
      });
      expect(response.status, `${op.method} ${op.path}`).toBe(401);
    }
  });

  it('rejects a forged or stale session cookie with 401', async () => {
    const forged = new Client(server.url);
    forged.cookies.set('__Host-gh_session', 'A'.repeat(43));
    expect((await forged.get('/auth/me')).status).toBe(401);
    forged.cookies.set('__Host-gh_session', 'not-even-the-right-length');
    expect((await forged.get('/auth/me')).status).toBe(401);
  });

  it('serves the public routes without credentials', async () => {
    const ops = (await operations()).filter((op) => op.access === 'public' && op.method === 'GET');
    // /metrics is no user's route: it takes the scraper's own token (metrics.test.ts), 404 without.
    expect(ops.map((op) => op.path)).toContain('/metrics');
    for (const op of ops.filter((o) => o.path !== '/metrics')) {
      const response = await new Client(server.url).get(concrete(op.path));
      expect(response.status, `${op.method} ${op.path}`).toBe(200);
    }
  });

  it('keeps 401 and 403 apart on the same route', async () => {
    const anonymous = await new Client(server.url).get('/admin/users');
    expect(anonymous.status).toBe(401);
    const { client } = await signedInUser(server);
    const plain = await client.get('/admin/users');
    expect(plain.status).toBe(403);
    expect(plain.headers.get('www-authenticate')).toBeNull();
  });
});

describe('a route that declares no access', () => {
  const undeclared = {
    method: 'GET',
    url: '/embedded/oops',
    summary: 'Forgot to say who may call it',
    handler: async () => ({ secret: true }),
  } as unknown as AnyRoute;

  it('makes building the app throw', async () => {
    await expect(buildApp(server.core, { routes: [undeclared] })).rejects.toThrow(
      /GET \/embedded\/oops declares no access/,
    );
  });

  it('is refused for a malformed access too', async () => {
    const bogus = { ...undeclared, access: 'everyone' } as unknown as AnyRoute;
    await expect(buildApp(server.core, { routes: [bogus] })).rejects.toThrow(/declares no access/);
    const emptyPermission = { ...undeclared, access: {} } as unknown as AnyRoute;
    await expect(buildApp(server.core, { routes: [emptyPermission] })).rejects.toThrow(
      /declares no access/,
    );
  });

  it('stops the server from starting', async () => {
    await expect(startTestServer({ routes: [undeclared] })).rejects.toThrow(/declares no access/);
  });

  it('lets an embedding app add a guarded route that the same pipeline protects', async () => {
    const extra = defineRoute({
      method: 'POST',
      url: '/embedded/things',
      access: 'authenticated',
      summary: 'An app route',
      handler: async () => ({ ok: true }),
    });
    const embedded = await startTestServer({ routes: [extra] });
    try {
      const anonymous = await new Client(embedded.url).post('/embedded/things');
      expect(anonymous.status).toBe(401);
      const { client } = await signedInUser(embedded);
      expect((await client.post('/embedded/things', undefined, { withoutCsrf: true })).status).toBe(
        403,
      );
      expect((await client.post('/embedded/things')).status).toBe(200);
    } finally {
      await embedded.stop();
    }
  });
});
