// Defences added after a security review: each test is an attack that worked before.
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_PASSWORD, demoEmail } from '../../examples/demo/seed.js';
import { setHashConcurrency, withHashSlot } from '../../src/crypto/hash-limiter.js';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { type DemoServer, startDemoServer } from '../helpers/demo.js';
import { mailFor } from '../helpers/mfa.js';
import { tokenOf } from '../helpers/outbox.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, logIn, meWith, type RefreshBody, tokenUser } from '../helpers/tokens.js';

let server: TestServer;
let demo: DemoServer;
beforeAll(async () => {
  server = await startTestServer();
  demo = await startDemoServer();
});
afterAll(async () => {
  await server.stop();
  await demo.server.stop();
});

describe('access-token callers meet the same attribute rules as sessions', () => {
  it('Bob, narrowed to Sports, cannot edit a Politics post with his access token', async () => {
    const bob = await logIn(demo.server, demoEmail('bob'), DEFAULT_DEMO_PASSWORD);
    const politics = await new Client(demo.server.url).request(
      'PATCH',
      `/demo/posts/${demo.seed.posts.politics}`,
      {
        json: { body: 'Bob was here.' },
        ...bearer(bob.accessToken),
      },
    );
    expect(politics.status).toBe(403);
    const sports = await new Client(demo.server.url).request(
      'PATCH',
      `/demo/posts/${demo.seed.posts.sports}`,
      {
        json: { body: 'Bob was here.' },
        ...bearer(bob.accessToken),
      },
    );
    expect(sports.status).toBe(200);
  });
});

describe('login limits hold against a parallel burst', () => {
  it('lets at most 10 guesses through when 30 arrive at once', async () => {
    const victim = await tokenUser(server);
    const burst = await Promise.all(
      Array.from({ length: 30 }, () =>
        new Client(server.url).post('/auth/login', {
          email: victim.email,
          password: 'a wrong guess, surely',
        }),
      ),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('counts password-change guesses with the login limits', async () => {
    const user = await tokenUser(server);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await user.client.post('/auth/password/change', {
        currentPassword: `wrong guess number ${i}`,
        newPassword: 'a brand new passphrase here',
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe('token-only clients', () => {
  it('stay signed in past the idle timeout by refreshing, without ever sending the cookie', async () => {
    const user = await tokenUser(server, { delivery: 'body' });
    let refreshToken = user.refreshToken;
    for (let i = 0; i < 6; i++) {
      server.clock.advance(10 * 60_000);
      const r = await new Client(server.url).post<RefreshBody>('/auth/refresh', { refreshToken });
      expect(r.status).toBe(200);
      refreshToken = r.body.refreshToken as string;
      expect((await meWith(server, { authorization: `Bearer ${r.body.accessToken}` })).status).toBe(
        200,
      );
    }
  });
});

describe('registration race', () => {
  it('two registrations of one email at once both answer 201, never 500', async () => {
    const email = uniqueEmail('race');
    const [a, b] = await Promise.all([
      new Client(server.url).post('/auth/register', { email, password: strongPassword }),
      new Client(server.url).post('/auth/register', { email, password: strongPassword }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const users = await server.core.store.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .execute();
    expect(users).toHaveLength(1);
  });
});

describe('a restarted instance remembers role changes', () => {
  it('refuses a demoted user’s old token', async () => {
    const admin = await tokenUser(server, { roles: ['admin'] });
    const demoted = await tokenUser(server, { roles: ['admin'] });
    server.clock.advance(2_000);
    const change = await admin.client.put(`/admin/users/${demoted.userId}/roles`, { roles: [] });
    expect(change.status).toBe(200);
    const late = await startTestServer({ shareWith: server });
    try {
      expect((await meWith(late, { authorization: `Bearer ${demoted.accessToken}` })).status).toBe(
        401,
      );
      expect((await meWith(late, { authorization: `Bearer ${admin.accessToken}` })).status).toBe(
        200,
      );
    } finally {
      await late.stop();
    }
  });
});

describe('limits that one source cannot turn against everyone', () => {
  let proxied: TestServer;
  beforeAll(async () => {
    // Behind a proxy on loopback, X-Forwarded-For names the client.
    proxied = await startTestServer({ settings: { trustProxy: '127.0.0.1' } });
  });
  afterAll(async () => proxied.stop());
  const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

  it('a flood from one address does not lock the owner out elsewhere', async () => {
    const victim = await tokenUser(proxied);
    for (let i = 0; i < 101; i++) {
      const r = await new Client(proxied.url).post(
        '/auth/login',
        { email: victim.email, password: 'wrong guess' },
        from('203.0.113.66'),
      );
      expect(r.status).toBe(i < 10 ? 401 : 429);
    }
    const owner = await new Client(proxied.url).post(
      '/auth/login',
      { email: victim.email, password: victim.password },
      from('198.51.100.7'),
    );
    expect(owner.status).toBe(200);
  });

  it('caps registrations per source (each hashes a password)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const r = await new Client(proxied.url).post(
        '/auth/register',
        { email: uniqueEmail('flood'), password: strongPassword },
        from('203.0.113.77'),
      );
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
    const elsewhere = await new Client(proxied.url).post(
      '/auth/register',
      { email: uniqueEmail('fine'), password: strongPassword },
      from('198.51.100.8'),
    );
    expect(elsewhere.status).toBe(201);
  });

  it('caps reset mails per email alike for known and unknown emails', async () => {
    const known = await tokenUser(proxied);
    for (const email of [known.email, uniqueEmail('nobody')]) {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push(
          (
            await new Client(proxied.url).post(
              '/auth/password/forgot',
              { email },
              from(`198.51.100.${20 + i}`),
            )
          ).status,
        );
      }
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    }
  });
});

describe('long-lived credentials', () => {
  it('an access token cannot mint an API key; the browser session can', async () => {
    const user = await tokenUser(server);
    const viaToken = await new Client(server.url).post(
      '/auth/api-keys',
      { name: 'from a token' },
      bearer(user.accessToken),
    );
    expect(viaToken.status).toBe(403);
    const viaSession = await user.client.post('/auth/api-keys', { name: 'from the session' });
    expect(viaSession.status).toBe(201);
  });

  it('a password reset revokes every API key of the account', async () => {
    const user = await tokenUser(server);
    const created = await user.client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
      name: 'to be revoked',
    });
    const key = created.body.apiKey.key;
    expect((await meWith(server, { 'x-api-key': key })).status).toBe(200);
    expect(
      (await new Client(server.url).post('/auth/password/forgot', { email: user.email })).status,
    ).toBe(202);
    const token = tokenOf(await mailFor(server, user.email, /reset/i));
    const reset = await new Client(server.url).post('/auth/password/reset', {
      token,
      newPassword: 'a fresh passphrase after recovery',
    });
    expect(reset.status).toBe(204);
    expect((await meWith(server, { 'x-api-key': key })).status).toBe(401);
  });
});

describe('when password checks queue up', () => {
  it('answers 429 while the hash queue is full, without charging the user or sticking', async () => {
    const user = await tokenUser(server);
    setHashConcurrency(1);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Occupy the one slot and fill the queue with work of our own.
    const held = Array.from({ length: 257 }, () => withHashSlot(() => gate).catch(() => undefined));
    try {
      for (const email of [user.email, uniqueEmail('ghost')]) {
        const busy = await new Client(server.url).post('/auth/login', {
          email,
          password: 'any guess at all',
        });
        expect(busy.status).toBe(429);
        expect(busy.body.detail).toMatch(/busy/);
      }
    } finally {
      release();
      await Promise.all(held);
      setHashConcurrency(Math.max(1, availableParallelism() - 1));
    }
    // The refused attempts were not charged: ten real guesses still get through, and the
    // unknown email answers like a wrong password again (the dummy hash did not stick).
    for (let i = 0; i < 10; i++) {
      const guess = await new Client(server.url).post('/auth/login', {
        email: user.email,
        password: `wrong guess ${i}`,
      });
      expect(guess.status).toBe(401);
    }
    const ghost = await new Client(server.url).post('/auth/login', {
      email: uniqueEmail('ghost'),
      password: 'any guess at all',
    });
    expect(ghost.status).toBe(401);
  });
});
