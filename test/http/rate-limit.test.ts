import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const attempt = (email: string, password: string) =>
  new Client(server.url).post('/auth/login', { email, password });

describe('login brute-force limits', () => {
  it('answers 429 with Retry-After after 10 failures, even for the right password', async () => {
    const { email } = await signedInUser(server);
    for (let i = 0; i < 10; i++) {
      const failed = await attempt(email, `wrong guess number ${i}`);
      expect(failed.status).toBe(401);
    }
    const limited = await attempt(email, strongPassword);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = limited.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(15 * 60);
    expect(limited.headers.getSetCookie()).toEqual([]);
  });

  it('limits unknown emails the same way (no enumeration through the limiter)', async () => {
    const ghost = uniqueEmail('ghost');
    for (let i = 0; i < 10; i++) expect((await attempt(ghost, `guess ${i}`)).status).toBe(401);
    expect((await attempt(ghost, 'guess 11')).status).toBe(429);
  });

  it('lifts the limit when the window ends: no permanent lockout', async () => {
    const { email } = await signedInUser(server);
    for (let i = 0; i < 10; i++) await attempt(email, `wrong guess number ${i}`);
    expect((await attempt(email, strongPassword)).status).toBe(429);
    server.clock.advance(15 * 60 * 1000 + 1000);
    const login = await attempt(email, strongPassword);
    expect(login.status).toBe(200);
  });

  it('does not count another account’s failures against this one', async () => {
    const victim = await signedInUser(server);
    const other = await signedInUser(server);
    for (let i = 0; i < 10; i++) await attempt(other.email, `wrong guess number ${i}`);
    expect((await attempt(other.email, strongPassword)).status).toBe(429);
    expect((await attempt(victim.email, strongPassword)).status).toBe(200);
  });
});

describe('the client IP behind the limits', () => {
  const spoofing = async (target: TestServer) => {
    const { email } = await signedInUser(target);
    for (let i = 0; i < 10; i++) {
      await new Client(target.url).post('/auth/login', { email, password: `wrong ${i}` });
    }
    // A new X-Forwarded-For on each request must not buy a fresh per-IP budget.
    return new Client(target.url).post(
      '/auth/login',
      { email, password: strongPassword },
      { headers: { 'x-forwarded-for': '203.0.113.7' } },
    );
  };

  it('ignores X-Forwarded-For by default', async () => {
    expect((await spoofing(server)).status).toBe(429);
  });

  it('ignores X-Forwarded-For when trustProxy is set to the string "false" (as from the environment)', async () => {
    const target = await startTestServer({ settings: { trustProxy: 'false' } });
    try {
      expect(target.core.settings.trustProxy).toBe(false);
      expect((await spoofing(target)).status).toBe(429);
    } finally {
      await target.stop();
    }
  });
});
