import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface Answer {
  allowed: boolean;
  reason: string;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

describe('POST /authz/check on the built-in policy', () => {
  it('answers for the caller: admin holds users:manage, others are denied by default', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const user = await signedInUser(server);
    const question = { action: 'users:manage', resource: { type: 'users' } };
    const yes = await admin.client.post<Answer>('/authz/check', question);
    expect(yes.status).toBe(200);
    expect(yes.body).toEqual({ allowed: true, reason: 'role:admin' });
    const no = await user.client.post<Answer>('/authz/check', question);
    expect(no.body).toEqual({ allowed: false, reason: 'default_deny' });
    const audit = await admin.client.post<Answer>('/authz/check', {
      action: 'audit:read',
      resource: { type: 'audit' },
    });
    expect(audit.body.allowed).toBe(true);
  });

  it('denies unknown actions and actions of another type', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const unknown = await admin.client.post<Answer>('/authz/check', {
      action: 'posts:delete',
      resource: { type: 'posts', id: 'p1' },
    });
    expect(unknown.body).toEqual({ allowed: false, reason: 'action:unknown' });
    const mismatch = await admin.client.post<Answer>('/authz/check', {
      action: 'users:manage',
      resource: { type: 'audit' },
    });
    expect(mismatch.body.allowed).toBe(false);
  });

  it('answers a batch in order and bounds it to 100 checks', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const batch = await admin.client.post<{ results: Answer[] }>('/authz/check-batch', {
      checks: [
        { action: 'users:manage', resource: { type: 'users' } },
        { action: 'users:delete', resource: { type: 'users' } },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r) => r.allowed)).toEqual([true, false]);
    const check = { action: 'users:manage', resource: { type: 'users' } };
    const tooMany = await admin.client.post('/authz/check-batch', {
      checks: Array.from({ length: 101 }, () => check),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe('invalid_request');
  });

  it('refuses anonymous callers with 401 and malformed questions with 400', async () => {
    const anonymous = await new Client(server.url).post('/authz/check', {
      action: 'users:manage',
      resource: { type: 'users' },
    });
    expect(anonymous.status).toBe(401);
    const { client } = await signedInUser(server);
    const bad = await client.post('/authz/check', { action: 'users:manage', resource: {} });
    expect(bad.status).toBe(400);
    const extra = await client.post('/authz/check', {
      action: 'users:manage',
      resource: { type: 'users' },
      as: 'someone-else',
    });
    expect(extra.status).toBe(400);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await new Client(server.url).get<{ paths: Record<string, unknown> }>(
      '/openapi.json',
    );
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/authz/check', '/authz/check-batch']),
    );
  });

  it('guards the admin routes with the engine: users:manage from the admin role only', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const user = await signedInUser(server);
    expect((await admin.client.get('/admin/users')).status).toBe(200);
    expect((await admin.client.get('/admin/audit')).status).toBe(200);
    expect((await user.client.get('/admin/users')).status).toBe(403);
  });
});

describe('policy file at start-up', () => {
  it('refuses to start on an invalid policy, naming file and line', async () => {
    const file = join(server.dataDir, 'bad-policy.yaml');
    writeFileSync(
      file,
      'version: 1\nresources:\n  posts:\n    actions: [read]\nroles:\n  admin:\n    permissions: [posts:fly]\n',
    );
    const start = startTestServer({ settings: { policyFile: file } });
    await expect(start).rejects.toBeInstanceOf(PolicyError);
    await expect(start).rejects.toThrow(/bad-policy\.yaml:7/);
  });
});
