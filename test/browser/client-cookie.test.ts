import type { GatehouseError } from '@gatehouse/client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registeredUser, strongPassword } from '../helpers/accounts.js';
import { nextCode, totpUser, wrongCode } from '../helpers/mfa.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type AppWindow, type ClientApp, openApp, startClientApp } from './client-app.js';

declare const window: AppWindow;

/**
 * Cookie mode in Chromium, on the README's default recipe: the app's server
 * passes /auth/* on to Gatehouse, so the session is Gatehouse's HttpOnly cookie
 * on the app's own origin and the client adds the CSRF token to unsafe requests.
 */
let browser: Browser;
let server: TestServer;
let app: ClientApp;

beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  app = await startClientApp({ gatehouseUrl: () => server.url });
  server = await startTestServer({ settings: { publicUrl: app.origin } });
});
afterAll(async () => {
  await server?.stop();
  await app?.close();
  await browser?.close();
});

const newCookieClient = (page: Page) =>
  page.evaluate(() => {
    window.client = window.gatehouse.createClient({ baseUrl: '/', mode: 'cookie' });
  });

async function signedInPage(): Promise<{ page: Page; email: string }> {
  const { email } = await registeredUser(server);
  const page = await openApp(browser, app.origin);
  await newCookieClient(page);
  const result = await page.evaluate((credentials) => window.client.signIn(credentials), {
    email,
    password: strongPassword,
  });
  expect(result).toMatchObject({ kind: 'signed_in', user: { email } });
  return { page, email };
}

const sessionCookie = async (page: Page) =>
  (await page.context().cookies()).find((cookie) => cookie.name === '__Host-gh_session');

const revokeOthers = (page: Page) =>
  page.evaluate(
    async () =>
      (await window.client.fetch('/auth/sessions/revoke-others', { method: 'POST' })).status,
  );

const meFailure = (page: Page) =>
  page.evaluate(async () => {
    try {
      await window.client.me();
      return 'resolved';
    } catch (error) {
      const { name, code, status } = error as GatehouseError;
      return { name, code, status };
    }
  });

describe('browser client, cookie mode', () => {
  it('signs in with the session cookie, HttpOnly, and answers who is signed in', async () => {
    const { page, email } = await signedInPage();
    expect(await sessionCookie(page)).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
    });
    const me = await page.evaluate(() => window.client.me());
    expect(me.user).toMatchObject({ email, via: 'session' });
    expect(app.hitsOn('/auth/me').at(-1)?.headers.authorization).toBeUndefined();
    await page.context().close();
  });

  it('adds the CSRF token to unsafe requests only; without it Gatehouse refuses', async () => {
    const { page } = await signedInPage();
    expect(await revokeOthers(page)).toBe(200);
    const [post] = app.hitsOn('/auth/sessions/revoke-others').slice(-1);
    expect(post?.headers['x-csrf-token']).toMatch(/^[\w-]{20,}$/);
    await page.evaluate(() => window.client.fetch('/auth/sessions'));
    expect(app.hitsOn('/auth/sessions').at(-1)?.headers['x-csrf-token']).toBeUndefined();
    const bare = await page.evaluate(async () => {
      const response = await fetch('/auth/sessions/revoke-others', { method: 'POST' });
      return { status: response.status, body: (await response.json()) as unknown };
    });
    expect(bare).toMatchObject({ status: 403, body: { code: 'csrf_failed' } });
    await page.context().close();
  });

  it('after a reload it reads the CSRF token once, retries once, and keeps it', async () => {
    const { page } = await signedInPage();
    await page.reload();
    await page.waitForFunction(() => 'gatehouse' in window);
    await newCookieClient(page);
    const [posts, reads] = [
      app.hitsOn('/auth/sessions/revoke-others').length,
      app.hitsOn('/auth/csrf').length,
    ];
    expect(await revokeOthers(page)).toBe(200);
    expect(app.hitsOn('/auth/sessions/revoke-others').length - posts).toBe(2);
    expect(app.hitsOn('/auth/csrf').length - reads).toBe(1);
    expect(await revokeOthers(page)).toBe(200);
    expect(app.hitsOn('/auth/sessions/revoke-others').length - posts).toBe(3);
    expect(app.hitsOn('/auth/csrf').length - reads).toBe(1);
    await page.context().close();
  });

  it('ten concurrent refreshes are one request; the access token works as a bearer', async () => {
    const { page, email } = await signedInPage();
    const before = app.hitsOn('/auth/refresh').length;
    const tokens = await page.evaluate(async () => {
      const all = await Promise.all(Array.from({ length: 10 }, () => window.client.refresh()));
      return all.map((token) => token.accessToken);
    });
    expect(app.hitsOn('/auth/refresh').length - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    const viaBearer = await page.evaluate(async (token) => {
      const response = await fetch('/auth/me', {
        credentials: 'omit',
        headers: { authorization: `Bearer ${token}` },
      });
      return (await response.json()) as { user: { email: string; via: string } };
    }, tokens[0] ?? '');
    expect(viaBearer.user).toEqual(expect.objectContaining({ email, via: 'access_token' }));
    await page.context().close();
  });

  it('a second factor is its own step: no session until it is verified', async () => {
    const { email, password, secret } = await totpUser(server);
    const page = await openApp(browser, app.origin);
    await newCookieClient(page);
    const first = await page.evaluate((credentials) => window.client.signIn(credentials), {
      email,
      password,
    });
    if (first.kind !== 'mfa_required') throw new Error(`expected a challenge, got ${first.kind}`);
    expect(first.methods).toContain('totp');
    expect(first.expiresInSeconds).toBeGreaterThan(0);
    expect(await sessionCookie(page)).toBeUndefined();
    const verify = (code: string) =>
      page.evaluate(
        async ({ challenge, code }) => {
          try {
            return await window.client.verifySecondFactor({ challenge, method: 'totp', code });
          } catch (error) {
            return { code: (error as GatehouseError).code };
          }
        },
        { challenge: first.challenge, code },
      );
    expect(await verify(wrongCode(server, secret))).toEqual({ code: 'invalid_code' });
    expect(await verify(nextCode(server, secret))).toMatchObject({
      kind: 'signed_in',
      user: { email },
    });
    const me = await page.evaluate(() => window.client.me());
    expect(me.authentication).toMatchObject({ amr: ['pwd', 'otp'], acr: 'aal2' });
    await page.context().close();
  });

  it('signs out: the cookies are cleared and the next call is unauthenticated', async () => {
    const { page } = await signedInPage();
    await page.evaluate(() => window.client.signOut());
    expect(app.hitsOn('/auth/logout').at(-1)?.headers['x-csrf-token']).toBeDefined();
    expect(await sessionCookie(page)).toBeUndefined();
    expect(await meFailure(page)).toEqual({
      name: 'GatehouseError',
      code: 'unauthenticated',
      status: 401,
    });
    // Signing out again is not an error: there is nothing left to end.
    await page.evaluate(() => window.client.signOut());
    await page.context().close();
  });
});
