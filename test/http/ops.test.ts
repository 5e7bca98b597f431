import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreRoutes } from '../../src/http/app.js';
import { signedInUser } from '../helpers/accounts.js';
import { backend } from '../helpers/backend.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { 'x-access': unknown; responses: object }>>;
}

describe('GET /healthz and GET /readyz', () => {
  it('/healthz says the process is alive, and checks nothing else', async () => {
    const response = await new Client(server.url).get('/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('/readyz reports storage and cache reachable, on the storage in use', async () => {
    const response = await new Client(server.url).get<{
      status: string;
      storage: { kind: string; ok: boolean };
      cache: { kind: string; ok: boolean };
    }>('/readyz');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.storage).toEqual({ kind: backend, ok: true });
    expect(response.body.cache.ok).toBe(true);
    expect(response.body.cache.kind).toBe(backend === 'postgres' ? 'redis' : 'memory');
  });

  it('/readyz is 503 with the same body when the store does not answer; /healthz stays 200', async () => {
    const broken = await startTestServer();
    try {
      // The store closed under the running server: every query fails, as in an outage.
      await broken.core.store.close();
      const ready = await new Client(broken.url).get('/readyz');
      expect(ready.status).toBe(503);
      expect(Number(ready.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(ready.body).toMatchObject({
        status: 'degraded',
        storage: { kind: backend, ok: false },
        cache: { ok: true },
      });
      expect((await new Client(broken.url).get('/healthz')).status).toBe(200);
    } finally {
      await broken.stop().catch(() => {});
    }
  });

  it('sends the security headers', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('x-frame-options')).toBeTruthy();
    }
  });
});

describe('GET /openapi.json', () => {
  it('describes every registered route with its access', async () => {
    const response = await new Client(server.url).get<OpenApi>('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\.1/);
    const documented = new Set(
      Object.entries(response.body.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const expected = [
      ...coreRoutes(server.core).map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`),
      // Registered apart, where form bodies are parsed (RFC 7662).
      'POST /auth/introspect',
      'GET /openapi.json',
    ];
    expect([...documented].sort()).toEqual([...new Set(expected)].sort());
    for (const route of [
      'POST /auth/register',
      'POST /auth/login',
      'POST /auth/logout',
      'GET /auth/me',
      'GET /auth/csrf',
      'GET /auth/sessions',
      'DELETE /auth/sessions/{id}',
      'POST /auth/sessions/revoke-others',
      'POST /auth/password/change',
      'POST /auth/password/forgot',
      'POST /auth/password/reset',
      'POST /auth/email/verify',
      'GET /admin/users',
      'POST /admin/users/{id}/ban',
      'POST /admin/users/{id}/unban',
      'PUT /admin/users/{id}/roles',
      'GET /admin/audit',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'POST /auth/refresh',
      'GET /.well-known/jwks.json',
      'POST /auth/api-keys',
      'GET /auth/api-keys',
      'DELETE /auth/api-keys/{id}',
    ]) {
      expect(documented, route).toContain(route);
    }
    const login = response.body.paths['/auth/login']?.post as unknown as {
      requestBody: { content: { 'application/json': { schema: { properties: object } } } };
    };
    expect(
      Object.keys(login.requestBody.content['application/json'].schema.properties).sort(),
    ).toEqual(['email', 'password', 'refreshTokenDelivery']);
    expect(response.body.paths['/admin/users']?.get?.['x-access']).toEqual({
      permission: 'users:manage',
    });
  });
});

describe('GET /openapi.json: success statuses', () => {
  it('documents 204 for the routes that answer 204, as they do', async () => {
    const { paths } = (await new Client(server.url).get<OpenApi>('/openapi.json')).body;
    const documented = (path: string, method: string) =>
      Object.keys(paths[path]?.[method]?.responses ?? {}).filter((s) => s.startsWith('2'));
    const { client } = await signedInUser(server);
    const key = await client.post<{ apiKey: { id: string } }>('/auth/api-keys', { name: 'k' });
    const { client: second } = await signedInUser(server);
    const secondSessions = await second.get<{ sessions: Array<{ id: string }> }>('/auth/sessions');
    const answered: Array<[path: string, method: string, status: number]> = [
      [
        '/auth/api-keys/{id}',
        'delete',
        (await client.delete(`/auth/api-keys/${key.body.apiKey.id}`)).status,
      ],
      [
        '/auth/sessions/{id}',
        'delete',
        (await second.delete(`/auth/sessions/${secondSessions.body.sessions[0]?.id}`)).status,
      ],
      ['/auth/logout', 'post', (await client.post('/auth/logout')).status],
    ];
    for (const [path, method, status] of answered) {
      expect(status, path).toBe(204);
      expect(documented(path, method), path).toEqual(['204']);
    }
    for (const path of ['/auth/password/change', '/auth/password/reset'])
      expect(documented(path, 'post'), path).toEqual(['204']);
  });
});

describe('production and proxy settings', () => {
  it('has no /dev/outbox in production', async () => {
    const production = await startTestServer({
      settings: {
        nodeEnv: 'production',
        secretKey: 'a'.repeat(64),
        publicUrl: 'https://auth.example.com',
      },
    });
    try {
      const response = await new Client(production.url).get('/dev/outbox');
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('not_found');
      expect(production.logs.join('')).toMatch(/mail is written to the local outbox file/);
    } finally {
      await production.stop();
    }
  });

  it('refuses to start in production without GATEHOUSE_PUBLIC_URL (Host would decide the origin)', async () => {
    await expect(
      startTestServer({ settings: { nodeEnv: 'production', secretKey: 'a'.repeat(64) } }),
    ).rejects.toThrow(/^publicUrl: GATEHOUSE_PUBLIC_URL is required when NODE_ENV=production/);
  });

  it('says at start, outside production, that the origin comes from Host', async () => {
    expect(server.logs.join('')).toMatch(
      /no GATEHOUSE_PUBLIC_URL: the origin that CSRF checks accept comes from the Host header/,
    );
    const configured = await startTestServer({ settings: { publicUrl: 'http://localhost:1' } });
    try {
      expect(configured.logs.join('')).not.toMatch(/no GATEHOUSE_PUBLIC_URL/);
    } finally {
      await configured.stop();
    }
  });

  it('serves /dev/outbox only on loopback, and says so at start', async () => {
    expect(server.logs.join('')).toMatch(/dev outbox served at GET \/dev\/outbox/);
    expect((await new Client(server.url).get('/dev/outbox')).status).toBe(200);
    const exposed = await startTestServer({ settings: { host: '0.0.0.0' } });
    try {
      const port = new URL(exposed.url).port;
      const response = await new Client(`http://127.0.0.1:${port}`).get('/dev/outbox');
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('not_found');
      expect(exposed.logs.join('')).toMatch(
        /dev outbox not served: host 0\.0\.0\.0 is not loopback/,
      );
    } finally {
      await exposed.stop();
    }
  });

  it('warns at start when trustProxy believes every hop', async () => {
    const trusting = await startTestServer({ settings: { trustProxy: true } });
    try {
      expect(trusting.logs.join('')).toMatch(
        /trustProxy=true: every X-Forwarded-For hop is believed/,
      );
    } finally {
      await trusting.stop();
    }
  });
});
