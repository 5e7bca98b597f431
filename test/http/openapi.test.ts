import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { coreRoutes } from '../../src/http/app.js';
import { defineRoute } from '../../src/http/route.js';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import {
  documentedCodes,
  fastifyRoutes,
  fetchOpenApi,
  type OpenApiDocument,
  operationsOf,
} from '../helpers/openapi.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tokenUser } from '../helpers/tokens.js';

let server: TestServer;
let doc: OpenApiDocument;
beforeAll(async () => {
  server = await startTestServer();
  doc = await fetchOpenApi(server.url);
});
afterAll(async () => server.stop());

const rootVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** Every `$ref` in the document, with where it was found. */
function refsOf(value: unknown, at = '#'): Array<[ref: string, at: string]> {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === '$ref' && typeof child === 'string'
      ? [[child, at] as [string, string]]
      : refsOf(child, `${at}/${key}`),
  );
}

const resolvePointer = (document: unknown, ref: string): unknown =>
  ref
    .slice(2)
    .split('/')
    .reduce<unknown>(
      (node, part) =>
        node !== null && typeof node === 'object'
          ? (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
          : undefined,
      document,
    );

// No OpenAPI validator is installed (none of @apidevtools/swagger-parser, @readme/openapi-parser,
// @seriousme/openapi-schema-validator is in node_modules), so the rules of OpenAPI 3.1 that the
// document could break are checked one by one.
describe('GET /openapi.json: a valid OpenAPI 3.1 document', () => {
  it('says 3.1 and the release of the root package.json', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('Gatehouse');
    expect(doc.info.version).toBe(rootVersion);
  });

  it('has every $ref resolve inside the document', () => {
    const refs = refsOf(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const [ref, at] of refs) {
      expect(ref, at).toMatch(/^#\//);
      expect(resolvePointer(doc, ref), `${ref} at ${at}`).toBeDefined();
    }
  });

  it('gives every operation responses (a success, each with a description) and security', () => {
    for (const { method, path, operation } of operationsOf(doc)) {
      const label = `${method} ${path}`;
      const statuses = Object.keys(operation.responses ?? {});
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        label,
      ).toBe(true);
      for (const status of statuses) {
        expect(status, label).toMatch(/^(?:[1-5]\d\d|default)$/);
        expect(operation.responses?.[status]?.description, `${label} ${status}`).toBeTruthy();
      }
      expect(Array.isArray(operation.security), label).toBe(true);
      for (const requirement of operation.security ?? []) {
        for (const [scheme, scopes] of Object.entries(requirement)) {
          expect(doc.components.securitySchemes, label).toHaveProperty(scheme);
          expect(scopes, label).toEqual([]);
        }
      }
    }
  });

  it('declares each path parameter of each template exactly once, and nothing twice', () => {
    for (const { method, path, operation } of operationsOf(doc)) {
      const label = `${method} ${path}`;
      const params = (operation.parameters ?? []).map((p) =>
        p.$ref ? (resolvePointer(doc, p.$ref) as { name: string; in: string }) : p,
      );
      const inPath = params.filter((p) => p.in === 'path').map((p) => p.name);
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(inPath.sort(), label).toEqual(inTemplate.sort());
      const keys = params.map((p) => `${p.in} ${p.name}`);
      expect(new Set(keys).size, label).toBe(keys.length);
    }
  });

  it('names the four credentials as security schemes', () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes.sessionCookie).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: '__Host-gh_session',
    });
    expect(schemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(schemes.basic).toMatchObject({ type: 'http', scheme: 'basic' });
  });
});

describe('GET /openapi.json: the routes the server really serves', () => {
  it('lists every API route Fastify serves, and nothing it does not', async () => {
    // Without the pages, the provider and /docs, what Fastify serves is the JSON API.
    const api = await startTestServer({
      settings: { pages: { enabled: false }, docs: { enabled: false } },
    });
    try {
      const documented = operationsOf(await fetchOpenApi(api.url)).map(
        ({ method, path }) => `${method} ${path}`,
      );
      const served = fastifyRoutes(api.app);
      expect(served).toContain('POST /auth/login');
      expect(served).toContain('DELETE /auth/sessions/{id}');
      expect([...documented].sort()).toEqual([...new Set(served)].sort());
    } finally {
      await api.stop();
    }
  });

  it('documents a route an embedding app adds, with no response declared, with its problems', async () => {
    const extra = defineRoute({
      method: 'POST',
      url: '/app/notes/:id',
      access: 'authenticated',
      summary: 'An app route',
      params: z.strictObject({ id: z.string() }),
      body: z.strictObject({ text: z.string() }),
      handler: async () => ({ ok: true }),
    });
    const app = await startTestServer({ routes: [extra] });
    try {
      const operation = (await fetchOpenApi(app.url)).paths['/app/notes/{id}']?.post;
      expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(
        ['200', '400', '401', '403', '404', '503', 'default'].sort(),
      );
      expect(operation?.security?.map((r) => Object.keys(r)[0])).toEqual([
        'sessionCookie',
        'bearerToken',
        'apiKey',
        'basic',
      ]);
      const anonymous = await new Client(app.url).post('/app/notes/1', { text: 'x' });
      expectProblem(anonymous, 401, 'unauthenticated');
      expect(documentedCodes(operation, 401)).toContain('unauthenticated');
    } finally {
      await app.stop();
    }
  });
});

describe('GET /openapi.json: responses', () => {
  const routeOf = (method: string, url: string) => {
    const route = coreRoutes(server.core).find((r) => r.method === method && r.url === url);
    if (!route?.response) throw new Error(`${method} ${url} declares no response`);
    return route.response;
  };
  const operation = (method: string, path: string) => {
    const found = doc.paths[path]?.[method.toLowerCase()];
    if (!found) throw new Error(`${method} ${path} is not documented`);
    return found;
  };

  it('describes a declared success body with the schema the handler is held to, and the server answers it', async () => {
    const email = uniqueEmail('openapi');
    const registered = await new Client(server.url).post('/auth/register', {
      email,
      password: strongPassword,
    });
    expect(registered.status).toBe(201);
    expect(() => routeOf('POST', '/auth/register').parse(registered.body)).not.toThrow();
    const created = operation('POST', '/auth/register').responses?.['201']?.content?.[
      'application/json'
    ]?.schema as { properties: { user: { required: string[] } } };
    expect(created.properties.user.required.sort()).toEqual(
      ['banned', 'createdAt', 'email', 'emailVerified', 'id', 'roles'].sort(),
    );

    const owner = await tokenUser(server);
    const viaSession = await owner.client.get('/auth/me');
    const viaToken = await new Client(server.url).get('/auth/me', {
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    for (const me of [viaSession, viaToken]) {
      expect(me.status).toBe(200);
      expect(() => routeOf('GET', '/auth/me').parse(me.body)).not.toThrow();
    }
    for (const path of ['/healthz', '/readyz']) {
      const health = await new Client(server.url).get(path);
      expect(() => routeOf('GET', path).parse(health.body)).not.toThrow();
      expect(operation('GET', path).responses?.['200']?.content).toHaveProperty('application/json');
    }
  });

  it('lists the problem codes the server really answers, under their status', async () => {
    const anonymous = new Client(server.url);
    const answered: Array<[method: string, path: string, Response]> = [
      ['GET', '/auth/me', await anonymous.get('/auth/me')],
      [
        'POST',
        '/auth/login',
        await anonymous.post('/auth/login', { email: uniqueEmail(), password: 'wrong' }),
      ],
      ['POST', '/auth/login', await anonymous.post('/auth/login', { email: 'not an email' })],
      [
        'POST',
        '/auth/register',
        await anonymous.post('/auth/register', { email: uniqueEmail(), password: 'password' }),
      ],
    ];
    const owner = await tokenUser(server);
    answered.push(
      [
        'POST',
        '/auth/sessions/revoke-others',
        await owner.client.post('/auth/sessions/revoke-others', undefined, { withoutCsrf: true }),
      ],
      [
        'DELETE',
        '/auth/sessions/{id}',
        await owner.client.delete('/auth/sessions/no-such-session'),
      ],
      ['GET', '/admin/users', await owner.client.get('/admin/users')],
    );
    const seen = new Set<number>();
    for (const [method, path, response] of answered) {
      const label = `${method} ${path} → ${response.status} ${String(response.body.code)}`;
      expect(response.status, label).toBeGreaterThanOrEqual(400);
      expect(documentedCodes(operation(method, path), response.status), label).toContain(
        response.body.code,
      );
      seen.add(response.status);
    }
    expect([...seen].sort()).toEqual([400, 401, 403, 404]);
  });

  it('documents 401 on every protected operation, as an anonymous call answers', async () => {
    const anonymous = new Client(server.url);
    for (const { method, path, operation: op } of operationsOf(doc)) {
      if ((op.security ?? []).length === 0) continue;
      expect(documentedCodes(op, 401), `${method} ${path}`).toContain('unauthenticated');
      expect(op.responses?.['401']?.headers, `${method} ${path}`).toHaveProperty(
        'WWW-Authenticate',
      );
      expect(documentedCodes(op, 503), `${method} ${path}`).toContain('unavailable');
    }
    const response = await anonymous.get('/auth/sessions');
    expectProblem(response, 401, 'unauthenticated');
    expect(response.headers.get('www-authenticate')).toMatch(/Bearer/);
  });
});
