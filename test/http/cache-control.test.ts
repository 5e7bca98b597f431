// Answers that carry credentials or personal data must not be kept by a browser or proxy cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logIn } from '../helpers/tokens.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const expectNoStore = (response: Response, label: string) => {
  expect(response.status, `${label}: ${response.text.slice(0, 200)}`).toBeLessThan(500);
  expect(response.headers.get('cache-control'), label).toBe('no-store');
};

describe('Cache-Control: no-store', () => {
  it('on every answer with credentials or personal data', async () => {
    const { client, email, password } = await signedInUser(server, { roles: ['admin'] });
    const login = await new Client(server.url).post('/auth/login', { email, password });
    expectNoStore(login, 'POST /auth/login');
    const tokens = await logIn(server, email, password, 'body');
    const refreshed = await new Client(server.url).post('/auth/refresh', {
      refreshToken: tokens.refreshToken,
    });
    expectNoStore(refreshed, 'POST /auth/refresh');
    expectNoStore(await client.post('/auth/api-keys', { name: 'ci' }), 'POST /auth/api-keys');
    for (const path of [
      '/auth/me',
      '/auth/csrf',
      '/auth/sessions',
      '/auth/api-keys',
      '/admin/users',
      '/admin/audit',
    ]) {
      expectNoStore(await client.get(path), `GET ${path}`);
    }
  });

  it('on errors and unknown routes too', async () => {
    expectNoStore(await new Client(server.url).get('/auth/me'), '401');
    expectNoStore(await new Client(server.url).get('/no/such/route'), '404');
    expectNoStore(await new Client(server.url).post('/auth/login', { email: 1 }), '400');
    expectNoStore(await new Client(server.url).get('/auth/sessions/%zz'), 'bad URL');
  });

  it('but the public JWKS stays cacheable', async () => {
    const jwks = await new Client(server.url).get('/.well-known/jwks.json');
    expect(jwks.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
  });
});
