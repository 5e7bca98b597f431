/**
 * Sign-in with a provider in a real browser: the button on /login, the round
 * trip through a real OpenID Provider (another site: 127.0.0.1 against
 * localhost), and the second step after it (its challenge cookie must survive
 * the cross-site redirect).
 */
import { randomUUID } from 'node:crypto';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { register } from '../../src/authn/account/registration.js';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { enrolTotp, nextCode } from '../helpers/mfa.js';
import { startTestIdp, type TestIdp } from '../helpers/oidc-provider.js';
import type { TestServer } from '../helpers/server.js';
import { expectCleanPage, openBrowserPage, startPagesServer } from './pages.js';

let browser: Browser;
let server: TestServer;
let origin: string;
let idp: TestIdp;
beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  idp = await startTestIdp();
  ({ server, origin } = await startPagesServer({
    settings: {
      oidc: {
        providers: [
          {
            id: 'google',
            name: 'Google',
            issuer: idp.issuer,
            clientId: idp.clientId,
            clientSecret: idp.clientSecret,
            authoritativeEmailDomains: ['example.com'],
            allowCreate: true,
          },
        ],
      },
    },
  }));
  idp.register([`${origin}/auth/oidc/google/callback`]);
});
afterAll(async () => {
  await server?.stop();
  await idp?.stop();
  await browser?.close();
});

describe('sign-in with a provider in a browser', () => {
  it('goes from the button on /login to the provider and back, signed in where return_to said', async () => {
    const email = uniqueEmail('browser-oidc');
    idp.nextAccount = { sub: randomUUID(), email, email_verified: true };
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await page.goto(`${origin}/login?return_to=${encodeURIComponent('/account/sessions')}`);
    await expectCleanPage(browserPage);
    await Promise.all([
      page.waitForURL(`${origin}/account/sessions`),
      page.getByRole('link', { name: 'Sign in with Google' }).click(),
    ]);
    expect(await page.evaluate(() => fetch('/auth/me').then((r) => r.status))).toBe(200);
    await page.goto(`${origin}/account/linked-accounts`);
    expect(await page.getByRole('cell', { name: 'Google', exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Unlink Google' }).count()).toBe(1);
    await expectCleanPage(browserPage);
    await browserPage.context.close();
  });

  it('asks for the second factor after the provider, and a bad callback is a readable page', async () => {
    const email = uniqueEmail('browser-oidc-mfa');
    await register(
      server.core,
      { email, password: strongPassword, emailVerified: true },
      {
        ip: null,
        userAgent: 'test',
      },
    );
    const api = new Client(server.url);
    const login = await api.post<{ csrfToken: string }>('/auth/login', {
      email,
      password: strongPassword,
    });
    api.csrfToken = login.body.csrfToken;
    const { secret } = await enrolTotp(server, api);
    idp.nextAccount = { sub: randomUUID(), email, email_verified: true };
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await page.goto(`${origin}/login`);
    await Promise.all([
      page.waitForURL(/\/login\/mfa/),
      page.getByRole('link', { name: 'Sign in with Google' }).click(),
    ]);
    await page.getByLabel('Code from your app').fill(nextCode(server, secret));
    await Promise.all([page.waitForURL(`${origin}/account`), page.keyboard.press('Enter')]);
    expect(await page.evaluate(() => fetch('/auth/me').then((r) => r.status))).toBe(200);

    const refused = await page.goto(`${origin}/auth/oidc/google/callback?state=forged&code=x`);
    expect(refused?.status()).toBe(400);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBeTruthy();
    await expectCleanPage(browserPage);
    await browserPage.context.close();
  });
});
