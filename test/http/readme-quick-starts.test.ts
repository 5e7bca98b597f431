import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import {
  quickStartEnv,
  quickStartFile,
  type RunningQuickStart,
  runQuickStart,
} from '../helpers/quick-start.js';

/** The README's Express and Hono quick starts, run as written, answer the same way. */
describe.each(['express', 'hono'])('the README quick start for %s', (name) => {
  let app: RunningQuickStart;
  beforeAll(async () => {
    app = await runQuickStart(name);
  }, 60_000);
  afterAll(async () => app?.stop());

  it('signs up and in through the mount; its own routes see the cookie, the bearer token and the CSRF rule', async () => {
    const client = new Client(app.url);
    const email = uniqueEmail(name);
    expect((await client.post('/auth/register', { email, password: strongPassword })).status).toBe(
      201,
    );
    const login = await client.post<{ csrfToken: string; accessToken: string }>('/auth/login', {
      email,
      password: strongPassword,
    });
    expect(login.status, login.text).toBe(200);
    client.csrfToken = login.body.csrfToken;
    const userId = (await client.get<{ user: { id: string } }>('/auth/me')).body.user.id;

    const me = await client.get('/api/me');
    expect(me.status, app.output()).toBe(200);
    expect(me.body).toEqual({ userId, roles: [], via: 'session' });
    const bearer = await fetch(`${app.url}/api/me`, {
      headers: { authorization: `Bearer ${login.body.accessToken}` },
    });
    expect(await bearer.json()).toEqual({ userId, roles: [], via: 'access_token' });
    expect((await fetch(`${app.url}/api/me`)).status).toBe(401);

    const forged = await client.post('/api/notes', { text: 'hi' }, { withoutCsrf: true });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('csrf_failed');
    expect(forged.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const note = await client.post('/api/notes', { text: 'hi' });
    expect(note.status).toBe(201);
    expect(note.body).toEqual({ text: 'hi', by: userId });

    expect((await client.get('/login')).headers.get('content-type')).toMatch(/^text\/html/);
    const missing = await fetch(`${app.url}/nothing/here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type') ?? '').not.toMatch(/problem\+json/);
  });
});

describe('the README quick start for a Next.js route handler', () => {
  const PUBLIC_URL = 'https://app.example';
  type Handler = (request: Request) => Promise<Response>;
  let route: Record<string, unknown>;
  let cleanUp: () => Promise<void>;
  beforeAll(async () => {
    const file = quickStartFile('nextjs');
    const state = await quickStartEnv({ GATEHOUSE_PUBLIC_URL: PUBLIC_URL });
    const saved = { ...process.env };
    // The route module reads its settings from the environment when Next loads it.
    Object.assign(process.env, state.env);
    if (!state.env.REDIS_URL) delete process.env.REDIS_URL;
    if (!state.env.DATABASE_URL) delete process.env.DATABASE_URL;
    try {
      route = (await import(file.path)) as Record<string, unknown>;
    } finally {
      process.env = saved;
      file.remove();
    }
    cleanUp = state.drop;
  }, 60_000);
  afterAll(async () => cleanUp?.());

  const call = (method: string, path: string, init: RequestInit = {}) => {
    const handler = route[method] as Handler;
    return handler(new Request(`${PUBLIC_URL}${path}`, { method, ...init }));
  };

  it('exports the methods Next calls, on the Node.js runtime', () => {
    expect(route.runtime).toBe('nodejs');
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'])
      expect(typeof route[method], method).toBe('function');
  });

  it('signs up, signs in with cookies, answers who it is, and keeps the CSRF and origin rules', async () => {
    const email = uniqueEmail('next');
    const json = { 'content-type': 'application/json' };
    const body = JSON.stringify({ email, password: strongPassword });
    expect((await call('POST', '/auth/register', { headers: json, body })).status).toBe(201);
    const evil = await call('POST', '/auth/login', {
      headers: { ...json, origin: 'https://evil.example' },
      body,
    });
    expect(evil.status).toBe(403);
    const login = await call('POST', '/auth/login', {
      headers: { ...json, origin: PUBLIC_URL },
      body,
    });
    expect(login.status).toBe(200);
    const cookies = login.headers.getSetCookie();
    expect(cookies.some((c) => c.startsWith('__Host-gh_session=') && /Secure/.test(c))).toBe(true);
    const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
    const { csrfToken } = (await login.json()) as { csrfToken: string };

    const me = await call('GET', '/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(email);

    const forged = await call('POST', '/auth/logout', { headers: { cookie } });
    expect(forged.status).toBe(403);
    const logout = await call('POST', '/auth/logout', {
      headers: { cookie, 'x-csrf-token': csrfToken, origin: PUBLIC_URL },
    });
    expect(logout.status).toBe(204);
    expect(await logout.text()).toBe('');
    expect((await call('GET', '/auth/me', { headers: { cookie } })).status).toBe(401);
  });
});
