import type { ClientMode, GatehouseError } from '@gatehouse/client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registeredUser, strongPassword } from '../helpers/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type AppWindow, type ClientApp, openApp, startClientApp } from './client-app.js';

declare const window: AppWindow;

/**
 * The client on another origin than Gatehouse, which lists it in
 * `trustedOrigins` (CORS with credentials). Gatehouse answers at
 * `http://localhost:<g>` (through a counting proxy): token mode from another
 * site (`http://127.0.0.1:<p>`), cookie mode from the same site on another
 * port (`http://localhost:<q>`), and a page on an origin not in the list.
 */
const ACCESS_TOKEN_LIFETIME_MS = 600_000;

let browser: Browser;
let server: TestServer;
let gatehouse: ClientApp;
let otherSite: ClientApp;
let sameSite: ClientApp;
let untrusted: ClientApp;

beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  gatehouse = await startClientApp({ gatehouseUrl: () => server.url });
  const page = { gatehouseUrl: () => server.url, connectSrc: gatehouse.origin };
  otherSite = await startClientApp({ ...page, host: '127.0.0.1' });
  sameSite = await startClientApp(page);
  untrusted = await startClientApp(page);
  server = await startTestServer({
    settings: {
      publicUrl: gatehouse.origin,
      trustedOrigins: [otherSite.origin, sameSite.origin],
    },
  });
});
afterAll(async () => {
  await server?.stop();
  for (const app of [gatehouse, otherSite, sameSite, untrusted]) await app?.close();
  await browser?.close();
});

async function signedInPage(app: ClientApp, mode: ClientMode): Promise<Page> {
  const { email } = await registeredUser(server);
  const page = await openApp(browser, app.origin);
  const result = await page.evaluate(
    async ({ baseUrl, mode, email, password }) => {
      window.client = window.gatehouse.createClient({ baseUrl, mode });
      return window.client.signIn({ email, password });
    },
    { baseUrl: gatehouse.origin, mode, email, password: strongPassword },
  );
  expect(result).toMatchObject({ kind: 'signed_in', user: { email } });
  return page;
}

const meVia = (page: Page) => page.evaluate(async () => (await window.client.me()).user.via);

describe('browser client on another origin', () => {
  it('token mode from another site: sign in, me, one shared refresh, a retried fetch, sign out', async () => {
    const page = await signedInPage(otherSite, 'token');
    expect(await meVia(page)).toBe('access_token');
    expect(await page.context().cookies()).toEqual([]);

    const refreshes = gatehouse.hitsOn('/auth/refresh').length;
    await page.evaluate(() =>
      Promise.all(Array.from({ length: 10 }, () => window.client.refresh())),
    );
    expect(gatehouse.hitsOn('/auth/refresh').length - refreshes).toBe(1);

    server.clock.advance(ACCESS_TOKEN_LIFETIME_MS + 60_000);
    const status = await page.evaluate(
      async (url) => (await window.client.fetch(url)).status,
      `${gatehouse.origin}/auth/sessions`,
    );
    expect(status).toBe(200);
    expect(gatehouse.hitsOn('/auth/refresh').length - refreshes).toBe(2);
    expect(
      gatehouse
        .hitsOn('/auth/sessions')
        .slice(-2)
        .map((hit) => hit.headers.origin),
    ).toEqual([otherSite.origin, otherSite.origin]);

    await page.evaluate(() => window.client.signOut());
    const after = await page.evaluate(async () => {
      try {
        await window.client.me();
        return 'resolved';
      } catch (error) {
        return (error as GatehouseError).code;
      }
    });
    expect(after).toBe('unauthenticated');
    await page.context().close();
  });

  it('cookie mode from the same site on another port: the session cookie and the CSRF token cross over', async () => {
    const page = await signedInPage(sameSite, 'cookie');
    expect(await meVia(page)).toBe('session');
    const status = await page.evaluate(
      async (url) => (await window.client.fetch(url, { method: 'POST' })).status,
      `${gatehouse.origin}/auth/sessions/revoke-others`,
    );
    expect(status).toBe(200);
    expect(gatehouse.hitsOn('/auth/sessions/revoke-others').at(-1)?.headers).toMatchObject({
      origin: sameSite.origin,
      'x-csrf-token': expect.stringMatching(/^[\w-]{20,}$/),
    });
    const refreshes = gatehouse.hitsOn('/auth/refresh').length;
    await page.evaluate(() =>
      Promise.all(Array.from({ length: 10 }, () => window.client.refresh())),
    );
    expect(gatehouse.hitsOn('/auth/refresh').length - refreshes).toBe(1);
    await page.evaluate(() => window.client.signOut());
    await page.context().close();
  });

  it('an origin Gatehouse does not trust gets nothing: the browser stops the sign-in before it is sent', async () => {
    const { email } = await registeredUser(server);
    const page = await openApp(browser, untrusted.origin);
    const logins = gatehouse.hitsOn('/auth/login').length;
    const failure = await page.evaluate(
      async ({ baseUrl, email, password }) => {
        window.client = window.gatehouse.createClient({ baseUrl, mode: 'token' });
        try {
          await window.client.signIn({ email, password });
          return 'signed in';
        } catch (error) {
          return (error as GatehouseError).code;
        }
      },
      { baseUrl: gatehouse.origin, email, password: strongPassword },
    );
    expect(failure).toBe('network_error');
    expect(gatehouse.hitsOn('/auth/login').length).toBe(logins);
    await page.context().close();
  });
});
