import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedInUser, uniqueEmail } from '../helpers/accounts.js';
import { nextCode } from '../helpers/mfa.js';
import { outbox } from '../helpers/outbox.js';
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

const pathOf = (page: Page) => new URL(page.url()).pathname;

async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${origin}/login?notice=signed_out`);
}

async function addVirtualAuthenticator(browserPage: BrowserPage): Promise<void> {
  const cdp = await browserPage.context.newCDPSession(browserPage.page);
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
}

/** How the page's session signed in, as /auth/me tells it. */
const amrOf = (page: Page) =>
  page.evaluate(() =>
    fetch('/auth/me')
      .then((r) => r.json() as Promise<{ authentication?: { amr: string[] } }>)
      .then((body) => body.authentication?.amr ?? []),
  );

describe('a person goes through every page flow in a real browser', () => {
  it('signs up, verifies, enrols an app and a passkey, loses a session, and is banned', async () => {
    const email = uniqueEmail('journey');
    const password = 'a journey through every page 2026';
    const me = await openBrowserPage(browser);
    const { page } = me;

    // Sign up, from the start page.
    await page.goto(`${origin}/`);
    expect(pathOf(page)).toBe('/login');
    await expectCleanPage(me);
    await page.getByRole('main').getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(`${origin}/signup`);
    await expectCleanPage(me);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    await expectCleanPage(me);

    // Verify the email from the link in the outbox.
    const mail = (await outbox(server, email)).find((m) => m.text.includes('/verify-email?token='));
    const link = mail?.text.match(/https?:\/\/\S+\/verify-email\?token=\S+/)?.[0];
    expect(link?.startsWith(`${origin}/verify-email?token=`)).toBe(true);
    await page.goto(link ?? '');
    await expectCleanPage(me);
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await page.waitForURL((url) => url.pathname !== '/verify-email');
    await expectCleanPage(me);

    // Sign in, then enrol an authenticator app by reading its secret from the page.
    await signInWithPassword(page, email, password);
    expect(pathOf(page)).toBe('/account');
    await expectCleanPage(me);
    await page.goto(`${origin}/account/security`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.locator('.qr svg').waitFor();
    await expectCleanPage(me);
    const secret = (await page.locator('[data-totp-secret]').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByLabel('The 6-digit code the app shows').fill(nextCode(server, secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`${origin}/account/security?notice=totp_added`);
    await expectCleanPage(me);

    // Sign out, and back in with the password and the app's code.
    await signOut(page);
    await expectCleanPage(me);
    await signInWithPassword(page, email, password);
    expect(pathOf(page)).toBe('/login/mfa');
    await expectCleanPage(me);
    await page.getByLabel('Code from your app').fill(nextCode(server, secret));
    await page.getByRole('button', { name: 'Verify' }).first().click();
    await page.waitForURL(`${origin}/account`);
    expect(await amrOf(page)).toEqual(expect.arrayContaining(['pwd', 'otp']));

    // Add a passkey, sign out, and sign in with the passkey alone.
    await addVirtualAuthenticator(me);
    await page.goto(`${origin}/account/security`);
    await page.getByLabel('Name of the new passkey').fill('Journey key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(`${origin}/account/security?notice=passkey_added`);
    await expectCleanPage(me);
    await signOut(page);
    // The page may sign in on its own through autofill; else (after a while) the button does it.
    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    await page
      .waitForURL(`${origin}/account`, { timeout: 3000 })
      .catch(() => button.click().catch(() => {}));
    await page.waitForURL(`${origin}/account`);
    const amr = await amrOf(page);
    expect(amr).not.toContain('pwd');
    expect(amr.some((method) => method === 'hwk' || method === 'swk')).toBe(true);
    await expectCleanPage(me);

    // A second browser signs in (password + app); the first signs it out from the sessions page.
    const other = await openBrowserPage(browser);
    await signInWithPassword(other.page, email, password);
    await other.page.getByLabel('Code from your app').fill(nextCode(server, secret));
    await other.page.getByRole('button', { name: 'Verify' }).first().click();
    await other.page.waitForURL(`${origin}/account`);
    await page.goto(`${origin}/account/sessions`);
    await expectCleanPage(me);
    const revoke = page.getByRole('button', { name: /^Sign out the session on / });
    // The other browser's is the newest (the list is newest first); this one has no button. A
    // passkey sign-in above may have run twice (autofill and the button both finishing), leaving
    // an orphaned older session of this browser in the list too.
    expect(await revoke.count()).toBeGreaterThanOrEqual(1);
    await revoke.first().click();
    await page.waitForURL(`${origin}/account/sessions?notice=session_revoked`);
    await other.page.goto(`${origin}/account`);
    await other.page.waitForURL(`${origin}/login`);
    expect(pathOf(page)).toBe('/account/sessions'); // this one is still signed in

    // An admin bans the person; their open page is signed out on its next request.
    const admin = await signedInUser(server, { roles: ['admin'] });
    const consolePage = await openBrowserPage(browser);
    await signInWithPassword(consolePage.page, admin.email, admin.password);
    await consolePage.page.goto(`${origin}/admin`);
    await consolePage.page.locator('input[name="q"]').fill(email);
    await consolePage.page.getByRole('button', { name: 'Search' }).click();
    await consolePage.page.getByRole('link', { name: email }).click();
    await consolePage.page.waitForURL(/\/admin\/user\//);
    await expectCleanPage(consolePage);
    await consolePage.page.getByLabel('Reason (shown to admins only)').fill('Journey over');
    await consolePage.page.getByRole('button', { name: 'Ban this user' }).click();
    await consolePage.page.waitForURL(/notice=admin_banned/);
    await expectCleanPage(consolePage);
    await page.goto(`${origin}/account`);
    await page.waitForURL(`${origin}/login`);
    expect(await page.evaluate(() => fetch('/auth/me').then((r) => r.status))).toBe(401);

    for (const context of [me, other, consolePage]) await context.context.close();
  }, 90_000);
});
