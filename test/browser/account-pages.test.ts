import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { codeNow } from '../helpers/mfa.js';
import type { TestServer } from '../helpers/server.js';
import { expectCleanPage, openBrowserPage, startPagesServer } from './pages.js';

/** What the scripts evaluated in the page touch (the project compiles without the DOM library). */
declare const document: { activeElement: { id?: string } | null };

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

/** A fresh account, signed in through the sign-in page of `page`. */
async function signIn(page: Page, account?: { email: string; password: string }) {
  const user = account ?? (await signedInUser(server));
  await page.goto(`${origin}/login`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${origin}/account`);
  return user;
}

describe('the account pages in a browser', () => {
  it('are clean (axe, CSP) on every page and on the answers that show a secret once', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await signIn(page);
    for (const path of [
      '/account',
      '/account/password',
      '/account/sessions',
      '/account/security',
      '/account/api-keys',
      '/reauthenticate',
    ]) {
      await page.goto(`${origin}${path}`);
      expect(await page.locator('h1').count(), path).toBe(1);
      await expectCleanPage(browserPage);
    }
    await page.goto(`${origin}/account/password`);
    await page.getByLabel('Current password').fill('not the password at all');
    await page.getByLabel('New password').fill('another long passphrase 12345');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The current password is not right.').waitFor();
    await expectCleanPage(browserPage);
    await page.goto(`${origin}/account/api-keys`);
    await page.getByLabel('Name', { exact: true }).fill('ci');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.locator('[data-api-key]').waitFor();
    await expectCleanPage(browserPage);
    await page.goto(`${origin}/account/api-keys`);
    await page.getByRole('button', { name: 'Revoke ci' }).waitFor();
    await expectCleanPage(browserPage);
    await browserPage.context.close();
  });

  it('are clean in dark mode at phone width too', async () => {
    const browserPage = await openBrowserPage(browser, { colorScheme: 'dark', width: 390 });
    const { page } = browserPage;
    await signIn(page);
    for (const path of [
      '/account',
      '/account/sessions',
      '/account/security',
      '/account/api-keys',
    ]) {
      await page.goto(`${origin}${path}`);
      await expectCleanPage(browserPage);
    }
    await browserPage.context.close();
  });

  it('enrols an authenticator app by reading the secret from the page, then shows recovery codes once', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await signIn(page);
    await page.goto(`${origin}/account/security`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.locator('.qr svg').waitFor();
    await expectCleanPage(browserPage);
    const secret = (await page.locator('[data-totp-secret]').textContent())?.trim() ?? '';
    await page.getByLabel('The 6-digit code the app shows').fill(codeNow(server, secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`${origin}/account/security?notice=totp_added`);
    await page.getByText('The authenticator app is set up.').waitFor();
    await expectCleanPage(browserPage);
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    const codes = await page.locator('[data-recovery-codes] li').allTextContents();
    expect(codes).toHaveLength(10);
    await expectCleanPage(browserPage);
    await page.goto(`${origin}/account/security`);
    await page.getByText('10 unused codes remain.').waitFor();
    expect(await page.content()).not.toContain(codes[0]);
    await browserPage.context.close();
  });

  it('adds, renames and removes a passkey with a virtual authenticator, and steps up with it', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page, context } = browserPage;
    await signIn(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    await page.goto(`${origin}/account/security`);
    await page.getByLabel('Name of the new passkey').fill('Virtual key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(`${origin}/account/security?notice=passkey_added`);
    await expectCleanPage(browserPage);
    await page.getByLabel('New name for Virtual key').fill('Renamed key');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.waitForURL(`${origin}/account/security?notice=passkey_renamed`);
    await page.getByRole('button', { name: 'Remove Renamed key' }).waitFor();
    // A stale sign-in: adding a passkey sends the page to the step-up page, where the passkey proves it is them.
    server.clock.advance(11 * 60 * 1000);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/\/reauthenticate\?return_to=%2Faccount%2Fsecurity$/);
    await expectCleanPage(browserPage);
    await page.getByRole('button', { name: 'With a passkey' }).click();
    await page.waitForURL(`${origin}/account/security`);
    await page.getByRole('button', { name: 'Remove Renamed key' }).click();
    await page.waitForURL(`${origin}/account/security?notice=passkey_removed`);
    await page.getByText('No passkey yet.').waitFor();
    await browserPage.context.close();
  });

  it('signs another session out: its next request lands on the sign-in page', async () => {
    const first = await openBrowserPage(browser);
    const second = await openBrowserPage(browser);
    const account = await signIn(first.page);
    await signIn(second.page, account);
    await first.page.goto(`${origin}/account/sessions`);
    await expectCleanPage(first);
    // The other browser's row (signedInUser's own API session is there too, as "node").
    await first.page
      .getByRole('button', { name: /^Sign out the session on .*HeadlessChrome/ })
      .click();
    await first.page.waitForURL(`${origin}/account/sessions?notice=session_revoked`);
    await first.page.getByText('That session is signed out.').waitFor();
    await second.page.goto(`${origin}/account/security`);
    await second.page.waitForURL(/\/login\?return_to=%2Faccount%2Fsecurity$/);
    await first.page.goto(`${origin}/account`);
    expect(first.page.url()).toBe(`${origin}/account`);
    await first.context.close();
    await second.context.close();
  });

  it('changes the password with the keyboard alone', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    const { password } = await signIn(page);
    await page.goto(`${origin}/account/password`);
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.id)) === 'field-currentPassword')
        break;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-currentPassword');
    await page.keyboard.type(password);
    await page.keyboard.press('Tab');
    await page.keyboard.type('a keyboard only passphrase 2026');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/account?notice=password_changed`);
    await page.getByText('Your password is changed.').waitFor();
    await expectCleanPage(browserPage);
    await browserPage.context.close();
  });

  it('signs in, steps up and changes the password with JavaScript off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const { email, password } = await signIn(page);
    server.clock.advance(11 * 60 * 1000);
    await page.goto(`${origin}/account/password`);
    await page.waitForURL(/\/reauthenticate\?return_to=%2Faccount%2Fpassword$/);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`${origin}/account/password`);
    const newPassword = 'no script passphrase 4 pages';
    await page.getByLabel('Current password').fill(password);
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(`${origin}/account?notice=password_changed`);
    await context.close();
    const again = await browser.newContext({ javaScriptEnabled: false });
    await signIn(await again.newPage(), { email, password: newPassword });
    await again.close();
  });
});
