import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

/**
 * A server on loopback is often reached through a reverse proxy on the same
 * machine: the peer is 127.0.0.1, but the caller is anyone the proxy serves.
 */
describe('the dev outbox is not handed out through a proxy', () => {
  it('answers 404 to a request a proxy forwarded, 200 to the developer on this machine', async () => {
    const client = new Client(server.url);
    const email = uniqueEmail('proxied');
    await client.post('/auth/register', { email, password: 'correct horse battery staple 42' });
    const forwarded: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.7' },
      { forwarded: 'for=203.0.113.7;proto=https' },
      { 'x-real-ip': '203.0.113.7' },
    ];
    for (const headers of forwarded) {
      const proxied = await client.get('/dev/outbox', { headers });
      expect(proxied.status).toBe(404);
      expect(proxied.body.code).toBe('not_found');
      expect(proxied.text).not.toContain(email);
    }
    const local = await client.get<{ messages: { to: string }[] }>('/dev/outbox');
    expect(local.status).toBe(200);
    expect(local.body.messages.some((m) => m.to === email)).toBe(true);
  });
});
