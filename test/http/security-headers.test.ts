import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

describe('security headers (helmet’s, computed once at start-up)', () => {
  it('every API answer, refused or not, carries them with the strictest policy JSON allows', async () => {
    for (const path of ['/auth/me', '/openapi.json', '/.well-known/jwks.json']) {
      const { headers } = await new Client(server.url).get(path);
      expect(headers.get('content-security-policy'), path).toBe(
        "default-src 'none';frame-ancestors 'none'",
      );
      expect(headers.get('strict-transport-security'), path).toMatch(/^max-age=\d+/);
      expect(headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(headers.get('x-frame-options'), path).toBe('DENY');
      expect(headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
    }
  });

  it('a page still sends its own policy, with a nonce, instead of the API’s', async () => {
    const page = await new Client(server.url).get('/login');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'nonce-[0-9a-f]+'/);
    expect(csp).not.toBe("default-src 'none';frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
