import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { meWithToken, within } from '../helpers/tokens.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

interface SessionView {
  id: string;
  current: boolean;
  ip: string | null;
  userAgent: string | null;
}

/** A second signed-in client of the same user. */
async function secondDevice(email: string, password: string): Promise<Client> {
  const client = new Client(server.url);
  const login = await client.post<{ csrfToken: string }>('/auth/login', { email, password });
  expect(login.status).toBe(200);
  client.csrfToken = login.body.csrfToken;
  return client;
}

const listSessions = async (client: Client) => {
  const response = await client.get<{ sessions: SessionView[] }>('/auth/sessions');
  expect(response.status).toBe(200);
  return response.body.sessions;
};

describe('session management', () => {
  it('lists only the caller’s own sessions with the current one marked', async () => {
    const { client, email, password } = await signedInUser(server);
    const other = await secondDevice(email, password);
    const stranger = await signedInUser(server);

    const mine = await listSessions(client);
    expect(mine).toHaveLength(2);
    expect(mine.filter((s) => s.current)).toHaveLength(1);
    const fromOther = await listSessions(other);
    expect(fromOther.filter((s) => s.current)).toHaveLength(1);
    const currentHere = mine.find((s) => s.current)?.id;
    const currentThere = fromOther.find((s) => s.current)?.id;
    expect(currentHere).not.toBe(currentThere);
    expect(mine.map((s) => s.id).sort()).toEqual(fromOther.map((s) => s.id).sort());

    const theirs = await listSessions(stranger.client);
    expect(theirs).toHaveLength(1);
    expect(mine.map((s) => s.id)).not.toContain(theirs[0]?.id);
  });

  it('DELETE /auth/sessions/{id} revokes one of my sessions, effective on the next request', async () => {
    const { client, email, password } = await signedInUser(server);
    const other = await secondDevice(email, password);
    expect((await other.get('/auth/me')).status).toBe(200);
    const target = (await listSessions(client)).find((s) => !s.current);
    expect(target).toBeDefined();

    const revoked = await client.delete(`/auth/sessions/${target?.id}`);
    expect(revoked.status).toBe(204);
    const me = await other.get('/auth/me');
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toBeTruthy();
    expect((await client.get('/auth/me')).status).toBe(200);
    expect((await listSessions(client)).map((s) => s.id)).not.toContain(target?.id);
    // Revoking it again: it is no longer a live session of mine.
    expect((await client.delete(`/auth/sessions/${target?.id}`)).status).toBe(404);
  });

  it('answers 404 for another user’s session id and leaves that session alive', async () => {
    const attacker = await signedInUser(server);
    const victim = await signedInUser(server);
    const victimSession = (await listSessions(victim.client)).find((s) => s.current);
    expect(victimSession).toBeDefined();

    const attempt = await attacker.client.delete(`/auth/sessions/${victimSession?.id}`);
    expect(attempt.status).toBe(404);
    expect(attempt.body.code).toBe('not_found');
    expect((await victim.client.get('/auth/me')).status).toBe(200);
    expect((await attacker.client.delete('/auth/sessions/no-such-session')).status).toBe(404);
  });

  it('POST /auth/sessions/revoke-others ends every other session and keeps this one', async () => {
    const { client, email, password } = await signedInUser(server);
    const second = await secondDevice(email, password);
    const third = await secondDevice(email, password);
    const stranger = await signedInUser(server);

    const response = await client.post<{ revoked: number }>('/auth/sessions/revoke-others');
    expect(response.status).toBe(200);
    expect(response.body.revoked).toBe(2);
    expect((await second.get('/auth/me')).status).toBe(401);
    expect((await third.get('/auth/me')).status).toBe(401);
    expect((await client.get('/auth/me')).status).toBe(200);
    expect(await listSessions(client)).toHaveLength(1);
    expect((await stranger.client.get('/auth/me')).status).toBe(200);
  });

  it('expires a session idle for more than 30 minutes', async () => {
    const { client } = await signedInUser(server);
    server.clock.advance(30 * MINUTE + 1000);
    const expired = await client.get('/auth/me');
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('unauthenticated');
  });

  it('slides the idle expiry while the session is used', async () => {
    const { client } = await signedInUser(server);
    // Two hours of activity, a request every 20 minutes: each one extends the session.
    for (let i = 0; i < 6; i++) {
      server.clock.advance(20 * MINUTE);
      expect((await client.get('/auth/me')).status).toBe(200);
    }
  });

  it('ends a session 7 days after login however active it is', async () => {
    const { client } = await signedInUser(server);
    const step = 25 * MINUTE;
    let elapsed = 0;
    while (elapsed + step < 7 * DAY) {
      server.clock.advance(step);
      elapsed += step;
      const me = await client.get('/auth/me');
      if (me.status !== 200) throw new Error(`session ended early after ${elapsed} ms`);
    }
    server.clock.advance(7 * DAY - elapsed + 1000);
    expect((await client.get('/auth/me')).status).toBe(401);
  });

  it('logout revokes the row and clears the cookie; the old cookie value then gets 401', async () => {
    const { client } = await signedInUser(server);
    const cookie = client.cookies.get('__Host-gh_session');
    expect(cookie).toBeDefined();

    const logout = await client.post('/auth/logout');
    expect(logout.status).toBe(204);
    const cleared = logout.headers.getSetCookie().find((c) => c.startsWith('__Host-gh_session='));
    expect(cleared).toBeDefined();
    expect(cleared).toMatch(/^__Host-gh_session=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expect(client.cookies.has('__Host-gh_session')).toBe(false);
    expect((await client.get('/auth/me')).status).toBe(401);

    const replay = new Client(server.url);
    const me = await replay.get('/auth/me', { headers: { cookie: `__Host-gh_session=${cookie}` } });
    expect(me.status).toBe(401);
    const rows = await server.core.store.db
      .selectFrom('sessions')
      .select(['revoked_at', 'revoked_reason'])
      .where('revoked_reason', '=', 'logout')
      .execute();
    expect(rows.length).toBeGreaterThan(0);
  });

  it('signing in again in the same browser ends the old session: its cookie and its access token', async () => {
    const { email, password } = await signedInUser(server);
    const elsewhere = await secondDevice(email, password);
    const browser = new Client(server.url);
    const first = await browser.post<{ csrfToken: string; accessToken: string }>('/auth/login', {
      email,
      password,
    });
    expect(first.status).toBe(200);
    browser.csrfToken = first.body.csrfToken;
    const oldCookie = browser.cookies.get('__Host-gh_session');

    const again = await browser.post<{ csrfToken: string }>('/auth/login', { email, password });
    expect(again.status).toBe(200);
    browser.csrfToken = again.body.csrfToken;
    expect(browser.cookies.get('__Host-gh_session')).not.toBe(oldCookie);
    expect((await browser.get('/auth/me')).status).toBe(200);

    const replay = await new Client(server.url).get('/auth/me', {
      headers: { cookie: `__Host-gh_session=${oldCookie}` },
    });
    expect(replay.status).toBe(401);
    const refused = await within(2_000, async () => {
      return (await meWithToken(server, first.body.accessToken)).status === 401;
    });
    expect(refused).toBe(true);
    // Only that browser's session: another device stays signed in.
    expect((await elsewhere.get('/auth/me')).status).toBe(200);
    expect((await listSessions(browser)).filter((s) => s.current)).toHaveLength(1);
  });

  it('refuses unauthenticated access to the session routes', async () => {
    const anonymous = new Client(server.url);
    expect((await anonymous.get('/auth/sessions')).status).toBe(401);
    expect((await anonymous.post('/auth/sessions/revoke-others')).status).toBe(401);
    expect((await anonymous.delete('/auth/sessions/anything')).status).toBe(401);
  });
});
