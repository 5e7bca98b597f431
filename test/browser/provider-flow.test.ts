/**
 * The OpenID Provider in a real browser: an app's authorization URL, the
 * sign-in page, the consent page (clean: axe, no CSP violation), and back at
 * the app's callback with a code the app redeems. The app's callback is a
 * tiny server of the test's (playwright's route does not see the redirect).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registeredUser } from '../helpers/accounts.js';
import { redeem, relyingParty, startAuthorization } from '../helpers/relying-party.js';
import type { TestServer } from '../helpers/server.js';
import { expectCleanPage, openBrowserPage, startPagesServer } from './pages.js';

const APP_PAGE =
  '<!doctype html><html lang="en"><head><title>Browser App</title></head><body><main><h1>Back at the app</h1></main></body></html>';

let browser: Browser;
let server: TestServer;
let origin: string;
let app: Server;
let appCallback: string;
/** Every URL the app's callback was opened with. */
const arrived: string[] = [];

beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  // oidc-provider keeps its own time: Gatehouse runs on the real clock too.
  ({ server, origin } = await startPagesServer({ realClock: true }));
  app = createServer((req, res) => {
    arrived.push(new URL(req.url ?? '/', appCallback).href);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(APP_PAGE);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appCallback = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
});
afterAll(async () => {
  await new Promise((resolve) => app?.close(resolve));
  await server?.stop();
  await browser?.close();
});

const atApp = (url: URL) => url.href.startsWith(`${appCallback}?`);
/** An app of the test, and an authorization request of it that comes back to the test's callback. */
async function appAuthorization(name: string, trusted: boolean, scope = 'openid email') {
  const rp = await relyingParty(server, { name, trusted, redirectUris: [appCallback] });
  const started = await startAuthorization(rp, { redirect_uri: appCallback, scope });
  return { rp, started };
}

describe('the code flow in a browser', () => {
  it('authorization URL → sign in → consent → the app’s callback with a code', async () => {
    const { rp, started } = await appAuthorization('Browser App', false, 'openid email profile');
    expect(rp.config.serverMetadata().issuer).toBe(origin);
    const someone = await registeredUser(server);

    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;

    await page.goto(started.url.href);
    expect(new URL(page.url()).pathname).toBe('/login');
    await expectCleanPage(browserPage);
    await page.getByLabel('Email').fill(someone.email);
    await page.getByLabel('Password').fill(someone.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.waitForURL((url) => url.pathname.startsWith('/authorize/'));
    await expect
      .poll(() =>
        page.getByRole('heading', { name: 'Browser App wants to use your account' }).count(),
      )
      .toBe(1);
    expect(await page.getByRole('main').getByRole('listitem').allTextContents()).toEqual([
      'Know who you are (a stable ID for your account)',
      'See your email address and whether it is confirmed',
      'See your name',
    ]);
    await expectCleanPage(browserPage);

    await Promise.all([
      page.waitForURL(atApp),
      page.getByRole('button', { name: 'Allow', exact: true }).click(),
    ]);
    expect(await page.getByRole('heading', { name: 'Back at the app' }).count()).toBe(1);
    // The way from our consent form to the app broke no form-action rule on the way.
    expect(browserPage.cspViolations).toEqual([]);
    const back = new URL(page.url());
    expect(arrived).toContain(back.href);
    const tokens = await redeem(rp, back, started);
    expect(tokens.claims()?.sub).toBe(someone.id);
    expect(tokens.claims()?.email).toBeUndefined();
    await browserPage.context.close();
  });

  it('a trusted app: from the sign-in form straight on to the app’s callback', async () => {
    const { rp, started } = await appAuthorization('First-party App', true);
    const someone = await registeredUser(server);
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await page.goto(started.url.href);
    await page.getByLabel('Email').fill(someone.email);
    await page.getByLabel('Password').fill(someone.password);
    await Promise.all([
      page.waitForURL(atApp),
      page.getByRole('button', { name: 'Sign in', exact: true }).click(),
    ]);
    expect(browserPage.cspViolations).toEqual([]);
    const tokens = await redeem(rp, new URL(page.url()), started);
    expect(tokens.claims()?.sub).toBe(someone.id);
    await browserPage.context.close();
  });
});
