// PostgreSQL refuses U+0000 in text ("invalid byte sequence for encoding UTF8: 0x00"): it
// used to be a 500 wherever a NUL reached SQL. Both backends refuse it at validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { type DemoServer, startDemoServer } from '../helpers/demo.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let demo: DemoServer;
let admin: Client;
let adminId: string;
let target: string;
beforeAll(async () => {
  server = await startTestServer();
  demo = await startDemoServer();
  ({ client: admin, userId: adminId } = await signedInUser(server, { roles: ['admin'] }));
  ({ userId: target } = await signedInUser(server));
});
afterAll(async () => {
  await server.stop();
  await demo.server.stop();
});

const rawJson = (client: Client, method: string, path: string, body: string) =>
  client.request(method, path, { body, headers: { 'content-type': 'application/json' } });

describe('a NUL or control character is a 400, never a 500', () => {
  it('in a path id', async () => {
    for (const id of ['%00', 'a%00b', '%01', 'x%0Ay', '%E2%80%AE', '..%2F..%2Fetc']) {
      expectProblem(await admin.delete(`/auth/sessions/${id}`), 400, 'invalid_request');
      expectProblem(await admin.delete(`/auth/api-keys/${id}`), 400, 'invalid_request');
      expectProblem(await admin.post(`/admin/users/${id}/ban`, {}), 400, 'invalid_request');
      expectProblem(await admin.post(`/admin/users/${id}/unban`), 400, 'invalid_request');
      expectProblem(
        await admin.put(`/admin/users/${id}/roles`, { roles: [] }),
        400,
        'invalid_request',
      );
    }
  });

  it('in a JSON string that reaches SQL', async () => {
    expectProblem(
      await admin.post('/auth/api-keys', { name: 'ci\u0000key' }),
      400,
      'invalid_request',
    );
    expectProblem(
      await admin.post(`/admin/users/${target}/ban`, { reason: 'spam\u0000' }),
      400,
      'invalid_request',
    );
    expectProblem(
      await new Client(server.url).post('/auth/login', {
        email: 'a\u0000@example.com',
        password: 'x\u0000y',
      }),
      400,
      'invalid_request',
    );
    expectProblem(
      await new Client(server.url).post('/auth/password/reset', {
        token: '\u0000'.repeat(43),
        newPassword: 'a perfectly fine new passphrase',
      }),
      400,
      'invalid_request',
    );
    expectProblem(
      await admin.post('/authz/check', {
        action: 'posts:read',
        resource: { type: 'posts', id: '\u0000' },
      }),
      400,
      'invalid_request',
    );
    expectProblem(
      await admin.post('/authz/check', {
        action: 'posts:read',
        resource: { type: 'posts', attributes: { 'a\u0000': 'x' } },
      }),
      400,
      'invalid_request',
    );
  });

  it('in a query filter', async () => {
    expectProblem(await admin.get('/admin/audit?userId=%00'), 400, 'invalid_request');
    expectProblem(await admin.get('/admin/audit?type=login%00'), 400, 'invalid_request');
    expectProblem(await admin.get('/admin/audit?type=a%09b'), 400, 'invalid_request');
  });

  it('in the demo routes', async () => {
    const alice = await demo.login('alice');
    expectProblem(await alice.get('/demo/docs/%00'), 400, 'invalid_request');
    expectProblem(await alice.get('/demo/posts/%00'), 400, 'invalid_request');
    expectProblem(await alice.get('/demo/orders/%00'), 400, 'invalid_request');
    expectProblem(
      await alice.post('/demo/docs', { title: 'Q4\u0000', body: '' }),
      400,
      'invalid_request',
    );
    expectProblem(
      await alice.post('/demo/posts', { title: 'Hi', body: 'a\u0000b', category: 'sports' }),
      400,
      'invalid_request',
    );
    expectProblem(
      await alice.post('/demo/orders', { item: 'cable\u0000', total: 1 }),
      400,
      'invalid_request',
    );
  });

  it('a lone surrogate (it would be stored as U+FFFD) and other C0 controls', async () => {
    expectProblem(await rawJson(admin, 'POST', '/auth/api-keys', '{"name":"\\ud800"}'), 400);
    expectProblem(await admin.post('/auth/api-keys', { name: 'tab\there' }), 400);
    expectProblem(
      await admin.post(`/admin/users/${target}/ban`, { reason: 'bell\u0007' }),
      400,
      'invalid_request',
    );
    expectProblem(await rawJson(admin, 'POST', '/auth/api-keys', '{"na\\u0000me":"x"}'), 400);
  });

  it('in Basic credentials is a 401 like any wrong credential', async () => {
    const basic = Buffer.from('svc\u0000@example.com:secret').toString('base64');
    expectProblem(
      await new Client(server.url).get('/auth/me', {
        headers: { authorization: `Basic ${basic}` },
      }),
      401,
      'unauthenticated',
    );
  });

  it('still accepts tab and line breaks in free text, and Unicode everywhere', async () => {
    const banned = await admin.post(`/admin/users/${target}/ban`, {
      reason: 'first line\nsecond\tline\r\n— spam 🚫',
    });
    expect(banned.status, banned.text).toBe(200);
    const key = await admin.post('/auth/api-keys', { name: 'déploiement 🚀' });
    expect(key.status, key.text).toBe(201);
    const audit = await admin.get(`/admin/audit?userId=${adminId}&type=user_banned`);
    expect(audit.status, audit.text).toBe(200);
  });

  it('logged no unhandled error', () => {
    expect(server.logs.join('')).not.toContain('unhandled error');
    expect(demo.server.logs.join('')).not.toContain('unhandled error');
  });
});
