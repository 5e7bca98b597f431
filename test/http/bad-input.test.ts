import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

/** Every error is a problem document with the same fields. */
function expectProblem(response: Response, status: number, code?: string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status });
  for (const field of ['title', 'code', 'detail'] as const) {
    expect(typeof response.body[field], field).toBe('string');
    expect((response.body[field] as string).length, field).toBeGreaterThan(0);
  }
  if (code) expect(response.body.code).toBe(code);
}

const raw = (path: string, body: string, contentType = 'application/json') =>
  new Client(server.url).post(path, undefined, { body, headers: { 'content-type': contentType } });

describe('bad input is a 400 problem, never a 500', () => {
  it('malformed JSON', async () => {
    expectProblem(await raw('/auth/login', '{"email": "a@example.com", '), 400, 'invalid_request');
    expectProblem(await raw('/auth/register', 'not json at all'), 400, 'invalid_request');
  });

  it('an empty JSON body, and JSON that is not an object', async () => {
    expectProblem(await raw('/auth/login', ''), 400);
    expectProblem(await raw('/auth/login', '[]'), 400, 'invalid_request');
    expectProblem(await raw('/auth/login', 'null'), 400);
    expectProblem(await raw('/auth/login', '"a string"'), 400, 'invalid_request');
  });

  it('wrong types', async () => {
    const client = new Client(server.url);
    expectProblem(
      await client.post('/auth/login', { email: 42, password: strongPassword }),
      400,
      'invalid_request',
    );
    expectProblem(
      await client.post('/auth/login', { email: uniqueEmail(), password: ['a', 'b'] }),
      400,
      'invalid_request',
    );
    expectProblem(
      await client.post('/auth/register', { email: 'not-an-email', password: strongPassword }),
      400,
      'invalid_request',
    );
    expectProblem(await client.post('/auth/password/forgot', { email: null }), 400);
  });

  it('missing fields', async () => {
    const response = await new Client(server.url).post('/auth/login', { email: uniqueEmail() });
    expectProblem(response, 400, 'invalid_request');
    expect(response.body.detail).toMatch(/password/);
  });

  it('unknown fields (strict schemas)', async () => {
    const response = await new Client(server.url).post('/auth/register', {
      email: uniqueEmail('strict'),
      password: strongPassword,
      roles: ['admin'],
    });
    expectProblem(response, 400, 'invalid_request');
    expect(response.body.detail).toMatch(/roles|unrecognized/i);
    const { client, userId } = await signedInUser(server);
    expectProblem(
      await client.post('/auth/password/change', {
        currentPassword: strongPassword,
        newPassword: 'a perfectly fine new passphrase',
        userId,
      }),
      400,
      'invalid_request',
    );
  });

  it('prototype pollution attempts', async () => {
    expectProblem(
      await raw(
        '/auth/login',
        `{"email":"${uniqueEmail()}","password":"x","__proto__":{"admin":true}}`,
      ),
      400,
    );
    expectProblem(
      await raw(
        '/auth/login',
        `{"email":"${uniqueEmail()}","password":"x","constructor":{"prototype":{"admin":true}}}`,
      ),
      400,
    );
  });

  it('over-long strings', async () => {
    const client = new Client(server.url);
    const longEmail = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`;
    expect(longEmail.length).toBeGreaterThan(254);
    expectProblem(
      await client.post('/auth/register', { email: longEmail, password: strongPassword }),
      400,
      'invalid_request',
    );
    expectProblem(
      await client.post('/auth/login', { email: uniqueEmail(), password: 'p'.repeat(1025) }),
      400,
      'invalid_request',
    );
    expectProblem(
      await client.post('/auth/password/reset', {
        token: 't'.repeat(513),
        newPassword: strongPassword,
      }),
      400,
      'invalid_request',
    );
  });

  it('a body over 64 KiB is 413', async () => {
    const big = JSON.stringify({ email: uniqueEmail(), password: 'x'.repeat(70 * 1024) });
    expectProblem(await raw('/auth/login', big), 413, 'payload_too_large');
  });

  it('a text/plain body is refused with 400 or 415', async () => {
    const response = await raw(
      '/auth/login',
      JSON.stringify({ email: uniqueEmail(), password: strongPassword }),
      'text/plain',
    );
    expect([400, 415]).toContain(response.status);
    expectProblem(response, response.status);
  });

  it('an unknown content type is 415', async () => {
    expectProblem(
      await raw('/auth/login', '<login/>', 'application/xml'),
      415,
      'unsupported_media_type',
    );
  });

  it('bad query parameters on an admin route', async () => {
    const { client } = await signedInUser(server, { roles: ['admin'] });
    expectProblem(await client.get('/admin/users?limit=-1'), 400, 'invalid_request');
    expectProblem(await client.get('/admin/users?limit=abc'), 400, 'invalid_request');
    expectProblem(await client.get('/admin/users?bogus=1'), 400, 'invalid_request');
  });

  it('an over-long path parameter', async () => {
    const { client } = await signedInUser(server);
    expectProblem(await client.delete(`/auth/sessions/${'x'.repeat(65)}`), 400, 'invalid_request');
  });

  it('unknown routes and methods are 404 problems', async () => {
    const client = new Client(server.url);
    expectProblem(await client.get('/no/such/route'), 404, 'not_found');
    expectProblem(await client.request('PATCH', '/auth/login', { json: {} }), 404, 'not_found');
  });

  it('logged no unhandled error', () => {
    expect(server.logs.join('')).not.toContain('unhandled error');
  });
});
