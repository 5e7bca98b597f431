import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { multiInstance, startInstances } from '../helpers/instances.js';
import type { TestServer } from '../helpers/server.js';
import { logIn, type TokenUser, tokenUser, within } from '../helpers/tokens.js';

/**
 * Each instance remembers session cookies for a second (the session cache);
 * the revocation feed evicts them. So a change on A must refuse (or show) a
 * cookie B has just answered from its cache, within the bound the product
 * states for revocations: 1 s.
 */
const SESSION_COOKIE = '__Host-gh_session';
const MINUTE = 60_000;

let a: TestServer;
let b: TestServer;
let admin: TokenUser;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ a, b, admin, stop } = await startInstances());
});
afterAll(async () => stop());

const cookieOf = (client: Client): string => {
  const value = client.cookies.get(SESSION_COOKIE);
  if (!value) throw new Error('no session cookie');
  return value;
};

interface Me {
  user: { id: string; roles: string[]; emailVerified: boolean };
  authentication?: { authTime: string };
}

/** GET /auth/me with only this session cookie. */
const meByCookie = (server: TestServer, cookie: string) =>
  new Client(server.url).get<Me>('/auth/me', {
    headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
  });

/** B answers the cookie (twice: the second from its cache). */
async function cachedOnB(cookie: string): Promise<void> {
  for (let i = 0; i < 2; i++) expect((await meByCookie(b, cookie)).status).toBe(200);
}

const refusedOnBWithin1s = (cookie: string) =>
  within(1000, async () => (await meByCookie(b, cookie)).status === 401);

describe(`a session cached by ${multiInstance ? 'instance B' : 'the instance'} ends within 1 s of`, () => {
  it('a logout on A', async () => {
    const user = await tokenUser(a);
    const cookie = cookieOf(user.client);
    await cachedOnB(cookie);
    expect((await user.client.post('/auth/logout')).status).toBe(204);
    expect(await refusedOnBWithin1s(cookie)).toBe(true);
  });

  it('its revocation by its user on A, and no other session with it', async () => {
    const user = await tokenUser(a);
    const other = await logIn(a, user.email, user.password);
    const otherCookie = cookieOf(other.client);
    await cachedOnB(otherCookie);
    await cachedOnB(cookieOf(user.client));
    const listed = await user.client.get<{ sessions: { id: string; current: boolean }[] }>(
      '/auth/sessions',
    );
    const target = listed.body.sessions.find((s) => !s.current);
    expect((await user.client.delete(`/auth/sessions/${target?.id}`)).status).toBe(204);
    expect(await refusedOnBWithin1s(otherCookie)).toBe(true);
    expect((await meByCookie(b, cookieOf(user.client))).status).toBe(200);
  });

  it('a ban on A, which leaves other users’ cached sessions alone', async () => {
    const user = await tokenUser(a);
    const bystander = await tokenUser(a);
    await cachedOnB(cookieOf(user.client));
    await cachedOnB(cookieOf(bystander.client));
    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
    expect(await refusedOnBWithin1s(cookieOf(user.client))).toBe(true);
    expect((await meByCookie(b, cookieOf(bystander.client))).status).toBe(200);
  });

  it('a password change on A (the other sessions end; the one that changed it stays)', async () => {
    const user = await tokenUser(a);
    const other = await logIn(a, user.email, user.password);
    await cachedOnB(cookieOf(other.client));
    const changed = await user.client.post('/auth/password/change', {
      currentPassword: user.password,
      newPassword: 'a brand new passphrase for the cache test',
    });
    expect(changed.status).toBe(204);
    expect(await refusedOnBWithin1s(cookieOf(other.client))).toBe(true);
    expect((await meByCookie(b, cookieOf(user.client))).status).toBe(200);
  });

  it('deleting the user on A', async () => {
    const user = await tokenUser(a);
    await cachedOnB(cookieOf(user.client));
    expect((await admin.client.delete(`/admin/users/${user.userId}`)).status).toBe(204);
    expect(await refusedOnBWithin1s(cookieOf(user.client))).toBe(true);
  });
});

describe(`a change on A shows on ${multiInstance ? 'B' : 'the instance'}’s cached session within 1 s`, () => {
  it('a role change: /auth/me carries the new roles', async () => {
    const user = await tokenUser(a);
    const cookie = cookieOf(user.client);
    await cachedOnB(cookie);
    expect((await meByCookie(b, cookie)).body.user.roles).toEqual([]);
    const put = await admin.client.put(`/admin/users/${user.userId}/roles`, {
      roles: ['admin'],
    });
    expect(put.status).toBe(200);
    const seen = await within(1000, async () => {
      const me = await meByCookie(b, cookie);
      return me.status === 200 && me.body.user.roles.join() === 'admin';
    });
    expect(seen).toBe(true);
  });

  it('a step-up: the old cookie dies, the new one carries the new sign-in time', async () => {
    const user = await tokenUser(a);
    const oldCookie = cookieOf(user.client);
    await cachedOnB(oldCookie);
    const before = (await meByCookie(b, oldCookie)).body.authentication?.authTime;
    a.clock.advance(MINUTE);
    const stepped = await user.client.post('/auth/reauthenticate', {
      method: 'password',
      password: user.password,
    });
    expect(stepped.status).toBe(200);
    const newCookie = cookieOf(user.client);
    expect(newCookie).not.toBe(oldCookie);
    expect(await refusedOnBWithin1s(oldCookie)).toBe(true);
    const after = await meByCookie(b, newCookie);
    expect(after.status).toBe(200);
    expect(after.body.authentication?.authTime).not.toBe(before);
    expect(Date.parse(after.body.authentication?.authTime ?? '')).toBe(a.clock.now());
  });
});

describe('idle and absolute expiry hold for cached sessions', () => {
  it('a session idle for the full timeout ends on every instance, cached or not', async () => {
    const user = await tokenUser(a);
    const cookie = cookieOf(user.client);
    await cachedOnB(cookie);
    // The instances share the clock: 30 minutes (the default idle timeout) pass at once.
    a.clock.advance(30 * MINUTE + 1000);
    expect((await meByCookie(b, cookie)).status).toBe(401);
    expect((await meByCookie(a, cookie)).status).toBe(401);
  });

  it('a session used on B alone stays alive on A: B’s touches reach the database', async () => {
    const user = await tokenUser(a);
    const cookie = cookieOf(user.client);
    // Two hours, a request on B every 20 minutes (well within the idle timeout less the touch interval).
    for (let i = 0; i < 6; i++) {
      a.clock.advance(20 * MINUTE);
      await cachedOnB(cookie);
    }
    a.clock.advance(20 * MINUTE);
    expect((await meByCookie(a, cookie)).status).toBe(200);
  });

  it('a session ends at its absolute expiry however busy, even straight from the cache', async () => {
    const user = await tokenUser(a);
    const cookie = cookieOf(user.client);
    const week = 7 * 24 * 60 * MINUTE;
    let elapsed = 0;
    // Busy all week on B: each request slides the idle expiry.
    while (elapsed + 25 * MINUTE < week) {
      a.clock.advance(25 * MINUTE);
      elapsed += 25 * MINUTE;
      expect((await meByCookie(b, cookie)).status).toBe(200);
    }
    a.clock.advance(week - elapsed - 1000);
    await cachedOnB(cookie);
    a.clock.advance(2000);
    expect((await meByCookie(b, cookie)).status).toBe(401);
    expect((await meByCookie(a, cookie)).status).toBe(401);
  });
});
