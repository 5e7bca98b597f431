import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/authn/account/registration.js';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import type { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logIn, meWithToken, refreshWith } from '../helpers/tokens.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { session: { maxPerUser: 3 } } });
});
afterAll(async () => server.stop());

interface SessionPage {
  sessions: Array<{ id: string; current: boolean; createdAt: string }>;
  next: string | null;
}

async function newAccount(): Promise<string> {
  const email = uniqueEmail('cap');
  await register(server.core, { email, password: strongPassword }, { ip: null, userAgent: 't' });
  return email;
}

/** Logs in `count` times, a second apart, so the sessions' ages are distinct. */
async function devices(email: string, count: number) {
  const out: Array<Awaited<ReturnType<typeof logIn>>> = [];
  for (let i = 0; i < count; i++) {
    out.push(await logIn(server, email, strongPassword));
    server.clock.advance(1000);
  }
  return out;
}

describe('session.maxPerUser: the oldest live sessions make room for a new one', () => {
  it('a 4th login with the cap at 3 revokes the oldest: its cookie, access and refresh tokens die', async () => {
    const email = await newAccount();
    const [oldest, ...rest] = await devices(email, 3);
    if (!oldest) throw new Error('no session');
    expect((await oldest.client.get('/auth/me')).status).toBe(200);

    const fourth = await logIn(server, email, strongPassword);
    const refused = await oldest.client.get('/auth/me');
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('unauthenticated');
    // Revoked through the one revoke path: the revocation feed refuses its access token too.
    expect((await meWithToken(server, oldest.accessToken)).status).toBe(401);
    expect((await refreshWith(server, oldest.refreshToken)).status).toBe(401);

    for (const device of [...rest, fourth]) {
      expect((await device.client.get('/auth/me')).status).toBe(200);
    }
    const listed = await fourth.client.get<SessionPage>('/auth/sessions');
    expect(listed.body.sessions).toHaveLength(3);

    const audit = await server.core.store.db
      .selectFrom('sessions')
      .select('revoked_reason')
      .where('revoked_at', 'is not', null)
      .execute();
    expect(audit.map((r) => r.revoked_reason)).toContain('session_limit');
  });

  it('other users are not affected by one user reaching the cap', async () => {
    const [bystander] = await devices(await newAccount(), 1);
    const email = await newAccount();
    await devices(email, 5);
    expect((await bystander?.client.get('/auth/me'))?.status).toBe(200);
  });
});

describe('GET /auth/sessions pages', () => {
  const page = async (client: Client, query: string) => {
    const response = await client.get<SessionPage>(`/auth/sessions${query}`);
    expect(response.status).toBe(200);
    return response.body;
  };

  it('limit and the next cursor walk every live session once, newest first, the current one marked', async () => {
    const email = await newAccount();
    const sessions = await devices(email, 3);
    const me = sessions[1]?.client as Client;

    const first = await page(me, '?limit=2');
    expect(first.sessions).toHaveLength(2);
    expect(first.next).toEqual(expect.any(String));
    const second = await page(me, `?limit=2&after=${first.next}`);
    expect(second.sessions).toHaveLength(1);
    expect(second.next).toBeNull();

    const all = [...first.sessions, ...second.sessions];
    expect(new Set(all.map((s) => s.id)).size).toBe(3);
    const created = all.map((s) => Date.parse(s.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(all.filter((s) => s.current)).toHaveLength(1);
    expect(all.findIndex((s) => s.current)).toBe(1);

    const whole = await page(me, '');
    expect(whole.sessions.map((s) => s.id)).toEqual(all.map((s) => s.id));
    expect(whole.next).toBeNull();
  });

  it('a cursor that is not one, or a bad limit, is a 400 problem, never a 500', async () => {
    const [device] = await devices(await newAccount(), 1);
    const client = device?.client as Client;
    for (const query of [
      '?after=not-a-cursor',
      '?after=%00',
      `?after=${Buffer.from('1.x\u0000y').toString('base64url')}`,
      `?after=${'A'.repeat(600)}`,
      '?limit=0',
      '?limit=abc',
      '?limit=100000',
    ]) {
      const response = await client.get(`/auth/sessions${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.code).toBe('invalid_request');
    }
  });
});
