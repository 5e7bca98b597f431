import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import type { TestServer } from '../helpers/server.js';
import { expectCleanPage, focusArrivesOn, openBrowserPage, startPagesServer } from './pages.js';

let browser: Browser;
let server: TestServer;
let origin: string;
beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  ({ server, origin } = await startPagesServer());
});
afterAll(async () => {
  await server?.stop();
  await browser?.close();
});

describe('the sign-in page in a browser', () => {
  it('signs in with the keyboard alone and lands where return_to said', async () => {
    const { email, password } = await signedInUser(server);
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await page.goto(`${origin}/login?return_to=${encodeURIComponent('/account/sessions')}`);
    await expectCleanPage(browserPage);
    await focusArrivesOn(page, 'field-email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/account/sessions`);
    const me = await page.evaluate(() => fetch('/auth/me').then((r) => r.status));
    expect(me).toBe(200);
    await browserPage.context.close();
  });
});
