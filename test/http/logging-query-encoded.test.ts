import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { logLevel: 'info' } });
});
afterAll(async () => server.stop());

const apiKey = `gth_live_0123456789abcdef_${'a'.repeat(64)}0badc0de`;

describe('credentials in the URL are redacted however they are written', () => {
  it('redacts a percent-encoded API key and a Bearer value under an innocent name', async () => {
    const encodedKey = `%67${apiKey.slice(1)}`;
    const encodedJwt = '%65yJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2VjcmV0';
    const bearer = 'Bearer%20opaquesecretvalue123';
    for (const value of [encodedKey, encodedJwt, bearer]) {
      const response = await fetch(`${server.url}/auth/me?x=${value}`);
      expect(response.status).toBe(401);
    }
    const requestLines = server.logs.filter((line) => line.includes('/auth/me?x='));
    expect(requestLines.length).toBeGreaterThanOrEqual(3);
    for (const line of requestLines) expect(line).toContain('x=[redacted]');
    const leaked = server.logs.filter(
      (line) =>
        line.includes(apiKey.slice(1, 30)) ||
        line.includes('c2lnbmF0dXJlc2VjcmV0') ||
        line.includes('opaquesecretvalue123'),
    );
    expect(leaked).toEqual([]);
  });

  it('redacts a key or a token pasted into the path', async () => {
    const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ5In0.cGF0aHNpZ25hdHVyZQ';
    for (const path of [`/auth/api-keys/${apiKey}`, `/auth/sessions/${jwt}`, `/${apiKey}`]) {
      const response = await fetch(`${server.url}${path}`, { method: 'DELETE' });
      expect(response.status).toBeLessThan(500);
    }
    const leaked = server.logs.filter(
      (line) => line.includes(apiKey.slice(0, 30)) || line.includes('cGF0aHNpZ25hdHVyZQ'),
    );
    expect(leaked).toEqual([]);
    expect(server.logs.some((line) => line.includes('/auth/api-keys/[redacted]'))).toBe(true);
  });

  it('still logs an ordinary parameter as it came', async () => {
    await fetch(`${server.url}/auth/me?page=2`);
    expect(server.logs.some((line) => line.includes('/auth/me?page=2'))).toBe(true);
  });
});
