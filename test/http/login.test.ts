import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/crypto/password-hash.js';
import { findUserByEmail, insertUser } from '../../src/store/repositories/users.js';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { sameAnswer } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

describe('register and login', () => {
  it('registers, signs in with a session cookie, and answers /auth/me', async () => {
    const client = new Client(server.url);
    const email = uniqueEmail('reg');
    const reg = await client.post('/auth/register', { email, password: strongPassword });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ email, roles: [], emailVerified: false });

    const login = await client.post<{ csrfToken: string; user: { email: string } }>('/auth/login', {
      email,
      password: strongPassword,
    });
    expect(login.status).toBe(200);
    expect(login.body.user.email).toBe(email);
    expect(login.body.csrfToken).toMatch(/^[\w-]{43}$/);
    const me = await client.get<{ user: { email: string; via: string } }>('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email, via: 'session' });
  });

  it('sets a __Host- cookie that is HttpOnly, Secure, SameSite=Lax, Path=/', async () => {
    const { email, password } = await signedInUser(server);
    const response = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Host-gh_session='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(cookie?.split(';')[0]?.split('=')[1]).toHaveLength(43);
  });

  it('issues a new session id on every login (no fixation) and stores only its hash', async () => {
    const { client, email, password } = await signedInUser(server);
    const first = client.cookies.get('__Host-gh_session');
    await client.post('/auth/login', { email, password });
    const second = client.cookies.get('__Host-gh_session');
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const rows = await server.core.store.db.selectFrom('sessions').select('token_hash').execute();
    const stored = rows.map((r) => r.token_hash);
    expect(stored).not.toContain(first);
    expect(stored).not.toContain(second);
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const { email } = await signedInUser(server);
    const client = new Client(server.url);
    const wrong = await client.post('/auth/login', { email, password: 'not the password at all' });
    const unknown = await client.post('/auth/login', {
      email: uniqueEmail('ghost'),
      password: 'not the password at all',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(sameAnswer(wrong)).toBe(sameAnswer(unknown));
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('stores different argon2id hashes for two users with the same password', async () => {
    const a = await signedInUser(server);
    const b = await signedInUser(server);
    const [ua, ub] = await Promise.all([
      findUserByEmail(server.core.store.db, a.email),
      findUserByEmail(server.core.store.db, b.email),
    ]);
    expect(ua?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(ub?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(ua?.passwordHash).not.toBe(ub?.passwordHash);
    expect(ua?.passwordHash).not.toContain(strongPassword);
  });

  it('accepts an imported bcrypt hash and upgrades it to argon2id on login', async () => {
    const email = uniqueEmail('imported');
    const legacy = await bcrypt.hash(strongPassword, 10);
    await insertUser(server.core.store.db, { email, passwordHash: legacy, now: Date.now() });
    const client = new Client(server.url);
    expect(
      (await client.post('/auth/login', { email, password: 'wrong password, surely' })).status,
    ).toBe(401);
    expect((await findUserByEmail(server.core.store.db, email))?.passwordHash).toBe(legacy);
    expect((await client.post('/auth/login', { email, password: strongPassword })).status).toBe(
      200,
    );
    const upgraded = (await findUserByEmail(server.core.store.db, email))?.passwordHash;
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(
      (await new Client(server.url).post('/auth/login', { email, password: strongPassword }))
        .status,
    ).toBe(200);
  });

  it('rehashes an argon2id hash made with weaker parameters', async () => {
    const email = uniqueEmail('weakparams');
    const weak = await hashPassword(strongPassword, {
      memoryKiB: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    await insertUser(server.core.store.db, { email, passwordHash: weak, now: Date.now() });
    expect(
      (await new Client(server.url).post('/auth/login', { email, password: strongPassword }))
        .status,
    ).toBe(200);
    expect((await findUserByEmail(server.core.store.db, email))?.passwordHash).toMatch(
      /m=19456,t=2,p=1/,
    );
  });

  it('normalizes passwords with NFKC so a composed and a decomposed é both sign in', async () => {
    const email = uniqueEmail('unicode');
    const composed = 'caf\u00e9 au lait sans sucre';
    const decomposed = 'cafe\u0301 au lait sans sucre';
    expect(
      (await new Client(server.url).post('/auth/register', { email, password: composed })).status,
    ).toBe(201);
    expect(
      (await new Client(server.url).post('/auth/login', { email, password: decomposed })).status,
    ).toBe(200);
  });
});
