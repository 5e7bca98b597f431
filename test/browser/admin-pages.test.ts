import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordAuditEvent } from '../../src/store/repositories/audit-events.js';
import { signedInUser } from '../helpers/accounts.js';
import { enrolTotp } from '../helpers/mfa.js';
import type { TestServer } from '../helpers/server.js';
import { type BrowserPage, expectCleanPage, openBrowserPage, startPagesServer } from './pages.js';

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

/** Signs in through the sign-in page (filled in, so no keystroke lands before the page has focus). */
async function signInAs(page: Page, email: string, password: string, returnTo: string) {
  await page.goto(`${origin}/login?return_to=${encodeURIComponent(returnTo)}`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([
    page.waitForURL(`${origin}${returnTo}`),
    page.locator('input[name="password"]').press('Enter'),
  ]);
}

/** Presses Tab until the element matching `selector` has focus (at most 60 times). */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}
declare const document: { activeElement: { matches(selector: string): boolean } | null };

async function adminPage(): Promise<BrowserPage> {
  const { email, password } = await signedInUser(server, { roles: ['admin'] });
  const browserPage = await openBrowserPage(browser);
  await signInAs(browserPage.page, email, password, '/admin');
  return browserPage;
}

describe('the admin console in a browser', () => {
  it('every admin page is clean: axe finds nothing serious, the CSP nothing blocked', async () => {
    const { client, userId, email } = await signedInUser(server);
    await enrolTotp(server, client);
    await recordAuditEvent(
      server.core.store.db,
      { type: 'login', outcome: 'failure', userId, ip: '203.0.113.9', userAgent: '=cmd()' },
      server.clock.now(),
    );
    const browserPage = await adminPage();
    const { page } = browserPage;
    const paths = [
      '/admin',
      `/admin?q=${encodeURIComponent(email)}&sort=email&order=desc`,
      `/admin/user/${userId}`,
      `/admin/events?userId=${userId}`,
      '/admin/events?outcome=failure&type=login',
      '/admin/policy',
      '/admin/explain',
      `/admin/explain?user=${encodeURIComponent(email)}&action=users:manage`,
      '/admin/explain?user=nobody@example.com&action=users:manage',
    ];
    for (const path of paths) {
      await page.goto(`${origin}${path}`);
      await expect.poll(() => page.locator('h1').count(), { message: path }).toBe(1);
      await expectCleanPage(browserPage);
    }
    await browserPage.context.close();
  }, 45_000);

  it('finds a user and bans them with the keyboard alone; their open page is signed out', async () => {
    const target = await signedInUser(server);
    const victim = await openBrowserPage(browser);
    await signInAs(victim.page, target.email, target.password, '/account');

    const browserPage = await adminPage();
    const { page } = browserPage;
    await tabTo(page, 'input[name="q"]');
    await page.keyboard.type(target.email.toUpperCase());
    await Promise.all([page.waitForURL(/\/admin\?q=/), page.keyboard.press('Enter')]);
    await tabTo(page, `a[href="/admin/user/${target.userId}"]`);
    await Promise.all([
      page.waitForURL(`${origin}/admin/user/${target.userId}`),
      page.keyboard.press('Enter'),
    ]);
    await expectCleanPage(browserPage);

    await tabTo(page, 'input[name="reason"]');
    await page.keyboard.type('Spam, reported twice');
    await page.keyboard.press('Tab');
    await Promise.all([
      page.waitForURL(`${origin}/admin/user/${target.userId}?notice=admin_banned`),
      page.keyboard.press('Enter'),
    ]);
    await expect.poll(() => page.locator('[role="status"]').count()).toBe(1);
    expect(await page.locator('main').innerText()).toContain('Spam, reported twice');
    await expectCleanPage(browserPage);

    // Their open page, on its next request, is a signed-out one.
    expect(await victim.page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    await victim.page.reload();
    expect(await victim.page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await victim.page.evaluate(() => fetch('/auth/me').then((r) => r.status))).toBe(401);
    await browserPage.context.close();
    await victim.context.close();
  });

  it('resets factors by form (a phone width, dark) and the page says so', async () => {
    const { client, userId } = await signedInUser(server);
    await enrolTotp(server, client);
    const { email, password } = await signedInUser(server, { roles: ['admin'] });
    const browserPage = await openBrowserPage(browser, { colorScheme: 'dark', width: 390 });
    const { page } = browserPage;
    await signInAs(page, email, password, `/admin/user/${userId}`);
    await Promise.all([
      page.waitForURL(`${origin}/admin/user/${userId}?notice=admin_factors_reset`),
      page.getByRole('button', { name: 'Remove every second factor' }).click(),
    ]);
    expect(await page.locator('main').innerText()).toContain('No second factor.');
    await expectCleanPage(browserPage);
    await browserPage.context.close();
  });
});
