import type { GatehouseError } from '@gatehouse/client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registeredUser, strongPassword } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  type AppWindow,
  type ClientApp,
  openApp,
  startClientApp,
  startEchoApi,
} from './client-app.js';

declare const window: AppWindow;

/**
 * Token mode in Chromium: access and refresh tokens in the client's memory, no
 * cookie, `Authorization: Bearer` on Gatehouse's calls and the configured API
 * origins. Served from Gatehouse's origin (the app's server proxies to it), so
 * the proxy sees every call; client-cross-origin.test.ts runs it from another site.
 */
const ACCESS_TOKEN_LIFETIME_MS = 600_000;

let browser: Browser;
let server: TestServer;
let app: ClientApp;
let echo: Awaited<ReturnType<typeof startEchoApi>>;

beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  echo = await startEchoApi(() => app.origin);
  app = await startClientApp({ gatehouseUrl: () => server.url, connectSrc: echo.origin });
  server = await startTestServer({ settings: { publicUrl: app.origin } });
});
afterAll(async () => {
  await server?.stop();
  await app?.close();
  await echo?.close();
  await browser?.close();
});

type ErrorShape = Pick<GatehouseError, 'name' | 'code' | 'status'>;

/** A fresh page with a token-mode client on it, signed in as a new account. */
async function signedInPage(
  apiOrigins: string[] = [],
): Promise<{ page: Page; email: string; userId: string }> {
  const { email, id: userId } = await registeredUser(server);
  const page = await openApp(browser, app.origin);
  const result = await page.evaluate(
    async ({ email, password, apiOrigins }) => {
      window.client = window.gatehouse.createClient({ baseUrl: '/', mode: 'token', apiOrigins });
      return window.client.signIn({ email, password });
    },
    { email, password: strongPassword, apiOrigins },
  );
  expect(result).toMatchObject({ kind: 'signed_in', user: { email } });
  return { page, email, userId };
}

/** Runs `call` on the page's client and answers the typed error it failed with. */
const failureOf = (page: Page, call: 'me' | 'refresh') =>
  page.evaluate(async (call): Promise<ErrorShape | 'resolved'> => {
    try {
      await window.client[call]();
      return 'resolved';
    } catch (error) {
      const { name, code, status } = error as GatehouseError;
      return { name, code, status };
    }
  }, call);

const meStatus = (page: Page) =>
  page.evaluate(async () => (await window.client.fetch('/auth/me')).status);

describe('browser client, token mode', () => {
  it('signs in, answers who is signed in by the bearer token, and keeps no cookie', async () => {
    const { page, email } = await signedInPage();
    const me = await page.evaluate(() => window.client.me());
    expect(me.user).toMatchObject({ email, via: 'access_token' });
    expect(me.authentication?.amr).toEqual(['pwd']);
    expect(await page.context().cookies()).toEqual([]);
    const [call] = app.hitsOn('/auth/me').slice(-1);
    expect(call?.headers.authorization).toMatch(/^Bearer ey/);
    expect(call?.headers.cookie).toBeUndefined();
    await page.context().close();
  });

  it('fails with the API’s problem code, typed', async () => {
    const { email } = await registeredUser(server);
    const page = await openApp(browser, app.origin);
    const failures = await page.evaluate(async (email) => {
      window.client = window.gatehouse.createClient({ baseUrl: '/', mode: 'token' });
      const codes: unknown[] = [];
      for (const attempt of [
        () => window.client.me(),
        () => window.client.signIn({ email, password: 'not the password of this account' }),
        () => window.client.refresh(),
      ]) {
        try {
          await attempt();
        } catch (error) {
          const typed = error instanceof window.gatehouse.GatehouseError;
          const { code, status } = error as GatehouseError;
          codes.push({ typed, code, status });
        }
      }
      return codes;
    }, email);
    expect(failures).toEqual([
      { typed: true, code: 'unauthenticated', status: 401 },
      { typed: true, code: 'invalid_credentials', status: 401 },
      { typed: true, code: 'invalid_refresh_token', status: 401 },
    ]);
    await page.context().close();
  });

  it('ten concurrent refreshes are one request, and the rotated token is kept', async () => {
    const { page } = await signedInPage();
    const before = app.hitsOn('/auth/refresh').length;
    const tokens = await page.evaluate(async () => {
      const all = await Promise.all(Array.from({ length: 10 }, () => window.client.refresh()));
      return all.map((token) => token.accessToken);
    });
    expect(app.hitsOn('/auth/refresh').length - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(await meStatus(page)).toBe(200);
    expect(app.hitsOn('/auth/me').at(-1)?.headers.authorization).toBe(`Bearer ${tokens[0]}`);
    // Past the server's grace for a reused token: only the successor the client kept can work.
    server.clock.advance(60_000);
    const next = await page.evaluate(async () => (await window.client.refresh()).accessToken);
    expect(next).not.toBe(tokens[0]);
    expect(app.hitsOn('/auth/refresh').length - before).toBe(2);
    expect(await meStatus(page)).toBe(200);
    await page.context().close();
  });

  it('fetch refreshes an expired access token once and retries each request once, body and all', async () => {
    const { page } = await signedInPage();
    const [refreshesBefore, meBefore] = [
      app.hitsOn('/auth/refresh').length,
      app.hitsOn('/auth/me').length,
    ];
    server.clock.advance(ACCESS_TOKEN_LIFETIME_MS + 60_000);
    const statuses = await page.evaluate(() =>
      Promise.all(
        Array.from({ length: 10 }, async () => (await window.client.fetch('/auth/me')).status),
      ),
    );
    expect(statuses).toEqual(Array(10).fill(200));
    expect(app.hitsOn('/auth/refresh').length - refreshesBefore).toBe(1);
    const calls = app.hitsOn('/auth/me').slice(meBefore);
    expect(calls).toHaveLength(20);
    const bearers = new Set(calls.map((call) => call.headers.authorization));
    expect(bearers.size).toBe(2);

    server.clock.advance(ACCESS_TOKEN_LIFETIME_MS + 60_000);
    const check = await page.evaluate(async () => {
      const response = await window.client.fetch('/authz/check', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'users:manage', resource: { type: 'users' } }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    });
    expect(check).toMatchObject({ status: 200, body: { allowed: false } });
    expect(app.hitsOn('/authz/check')).toHaveLength(2);
    await page.context().close();
  });

  it('a 401 for a wrong password is answered as it is: no refresh, no second guess', async () => {
    const { page } = await signedInPage();
    const [refreshes, changes] = [
      app.hitsOn('/auth/refresh').length,
      app.hitsOn('/auth/password/change').length,
    ];
    const status = await page.evaluate(async () => {
      const response = await window.client.fetch('/auth/password/change', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          currentPassword: 'a wrong current password here',
          newPassword: 'an entirely new passphrase of mine',
        }),
      });
      return response.status;
    });
    expect(status).toBe(401);
    expect(app.hitsOn('/auth/refresh').length).toBe(refreshes);
    expect(app.hitsOn('/auth/password/change').length - changes).toBe(1);
    await page.context().close();
  });

  it('a session ended elsewhere: the refresh is refused once, and the client is signed out', async () => {
    const { page, email } = await signedInPage();
    const other = new Client(server.url);
    const login = await other.post<{ csrfToken: string }>('/auth/login', {
      email,
      password: strongPassword,
    });
    other.csrfToken = login.body.csrfToken;
    expect((await other.post('/auth/sessions/revoke-others')).status).toBe(200);
    server.clock.advance(ACCESS_TOKEN_LIFETIME_MS + 60_000);
    const refreshes = app.hitsOn('/auth/refresh').length;
    expect(await meStatus(page)).toBe(401);
    expect(app.hitsOn('/auth/refresh').length - refreshes).toBe(1);
    expect(await failureOf(page, 'refresh')).toMatchObject({ code: 'invalid_refresh_token' });
    expect(await failureOf(page, 'me')).toMatchObject({ code: 'unauthenticated' });
    expect(app.hitsOn('/auth/refresh').length - refreshes).toBe(1);
    await page.context().close();
  });

  it('gives the bearer token to the configured API origins only', async () => {
    const call = (page: Page, url: string) =>
      page.evaluate(async (url) => {
        const response = await window.client.fetch(url);
        return ((await response.json()) as { authorization: string | null }).authorization;
      }, url);
    const plain = await signedInPage();
    expect(await call(plain.page, `${echo.origin}/orders`)).toBeNull();
    const configured = await signedInPage([echo.origin]);
    expect(await call(configured.page, `${echo.origin}/orders`)).toMatch(/^Bearer ey/);
    expect(echo.seen).toEqual([null, expect.stringMatching(/^Bearer /)]);
    await plain.page.context().close();
    await configured.page.context().close();
  });

  it('signs out: the session ends at Gatehouse and the client forgets its tokens', async () => {
    const { page, userId } = await signedInPage();
    await page.evaluate(() => window.client.signOut());
    expect(app.hitsOn('/auth/logout').at(-1)?.headers.authorization).toMatch(/^Bearer /);
    expect(await failureOf(page, 'me')).toMatchObject({ code: 'unauthenticated', status: 401 });
    expect(await failureOf(page, 'refresh')).toMatchObject({ code: 'invalid_refresh_token' });
    const live = await server.core.store.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toEqual([]);
    await page.context().close();
  });
});
