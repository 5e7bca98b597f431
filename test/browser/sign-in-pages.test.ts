import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { enrolTotp, mailFor, nextCode, totpUser, wrongCode } from '../helpers/mfa.js';
import { mailedToken, tokenOf } from '../helpers/outbox.js';
import type { TestServer } from '../helpers/server.js';
import {
  type BrowserPage,
  expectCleanPage,
  focusArrivesOn,
  openBrowserPage,
  startPagesServer,
} from './pages.js';
import { passkeyPageRoutes } from './passkey-page.js';

/** What the scripts evaluated in the page touch (the project compiles without the DOM library). */
declare const window: {
  SimpleWebAuthnBrowser: {
    startRegistration(input: { optionsJSON: unknown }): Promise<RegistrationResponseJSON>;
  };
  PublicKeyCredential: { isConditionalMediationAvailable?: () => Promise<boolean> };
};

let browser: Browser;
let server: TestServer;
let origin: string;
beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  ({ server, origin } = await startPagesServer({ routes: passkeyPageRoutes }));
});
afterAll(async () => {
  await server?.stop();
  await browser?.close();
});

const signedInAs = (page: Page) =>
  page.evaluate(async () => {
    const response = await fetch('/auth/me');
    if (response.status !== 200) return null;
    const body = (await response.json()) as { user: { email: string } };
    return body.user.email;
  });

/** A CDP virtual authenticator on the page: CTAP2, internal, resident keys, user verification. */
async function addAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  /** From now on the authenticator only tests presence: its assertions are one factor. */
  const stopVerifyingUser = () =>
    cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  return { stopVerifyingUser };
}

/**
 * Setup through the JSON API, in the browser (the credential must live in its
 * authenticator): sign in with the password, register a passkey, sign out.
 */
async function enrolPasskey(page: Page, email: string, password = strongPassword) {
  await page.goto(`${origin}/test/passkeys`);
  const status = await page.evaluate(
    async ({ email, password }) => {
      const login = await fetch('/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const post = (url: string, body?: unknown) =>
        fetch(url, {
          method: 'POST',
          headers: {
            'x-csrf-token': csrfToken,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : null,
        });
      const { options } = (await (await post('/auth/passkeys/register/options')).json()) as {
        options: unknown;
      };
      const response = await window.SimpleWebAuthnBrowser.startRegistration({
        optionsJSON: options,
      });
      return (await post('/auth/passkeys/register/verify', { response, name: 'Test' })).status;
    },
    { email, password },
  );
  expect(status).toBe(201);
  await page.context().clearCookies();
}

/** A browser that offers no passkey autofill: only the button can start a ceremony. */
async function withoutAutofill(browserPage: BrowserPage) {
  await browserPage.context.addInitScript(() => {
    window.PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
}

async function newAccount() {
  const { email, password, client } = await signedInUser(server);
  return { email, password, client };
}

describe('passkeys on the sign-in pages', () => {
  it('signs in with the "Sign in with a passkey" button', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await withoutAutofill(browserPage);
    await addAuthenticator(page);
    const { email } = await newAccount();
    await enrolPasskey(page, email);
    const optionsAsked: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/auth/passkeys/login/options')) optionsAsked.push(request.url());
    });
    await page.goto(`${origin}/login?return_to=${encodeURIComponent('/account/sessions')}`);
    await expectCleanPage(browserPage);
    expect(optionsAsked).toEqual([]); // no autofill request: the button starts the only ceremony
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${origin}/account/sessions`);
    expect(await signedInAs(page)).toBe(email);
    await browserPage.context.close();
  });

  it('signs in through passkey autofill on the email field', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await addAuthenticator(page);
    const { email } = await newAccount();
    await enrolPasskey(page, email);
    const conditional = page.waitForRequest((request) =>
      request.url().endsWith('/auth/passkeys/login/options'),
    );
    await page.goto(`${origin}/login`);
    await conditional;
    // No click: the page's conditional request is what signs in. A real browser lists the passkey
    // when the email field gets focus; Chromium's virtual authenticator answers it at once.
    await page.waitForURL(`${origin}/account`);
    expect(await signedInAs(page)).toBe(email);
    await browserPage.context.close();
  });

  it('is the second factor after a password, on /login/mfa', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await withoutAutofill(browserPage);
    await addAuthenticator(page);
    const { email, password } = await newAccount();
    await enrolPasskey(page, email, password);
    await page.goto(`${origin}/login?return_to=${encodeURIComponent('/account/sessions')}`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/login\/mfa/);
    await expectCleanPage(browserPage);
    expect(await signedInAs(page)).toBeNull();
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL(`${origin}/account/sessions`);
    expect(await signedInAs(page)).toBe(email);
    await browserPage.context.close();
  });

  it('hands a passkey sign-in that needs a second factor over to /login/mfa', async () => {
    // Such an answer comes from a passkey without user verification, and Chromium offers
    // discoverable credentials only with it: so the verify call is answered with a real
    // challenge of this account (its password step's), as the server would answer.
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await withoutAutofill(browserPage);
    await addAuthenticator(page);
    const { email, password, client } = await newAccount();
    await enrolPasskey(page, email);
    const { secret } = await enrolTotp(server, client);
    const step = await new Client(server.url).post('/auth/login', { email, password });
    expect(step.body).toMatchObject({ mfaRequired: true });
    await page.route('**/auth/passkeys/login/verify', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: step.text }),
    );
    await page.goto(`${origin}/login?return_to=${encodeURIComponent('/account/sessions')}`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${origin}/login/mfa?return_to=%2Faccount%2Fsessions`);
    expect(page.url()).not.toContain(String(step.body.challenge));
    expect(await signedInAs(page)).toBeNull();
    await page.getByLabel('Code from your app').fill(nextCode(server, secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${origin}/account/sessions`);
    expect(await signedInAs(page)).toBe(email);
    await browserPage.context.close();
  });
});

describe('the password paths', () => {
  it('signs in with the keyboard alone, TOTP second step included, wrong code shown first', async () => {
    const { email, password, secret, client } = await totpUser(server);
    // Recovery codes too: the page then has a form per method, each field labelled on its own.
    expect((await client.post('/auth/mfa/recovery-codes')).status).toBe(201);
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await page.goto(`${origin}/login?return_to=${encodeURIComponent('/account/sessions')}`);
    await focusArrivesOn(page, 'field-email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/login\/mfa/);
    await expectCleanPage(browserPage);
    await focusArrivesOn(page, 'field-code-totp');
    await page.keyboard.type(wrongCode(server, secret));
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('4 tries left.');
    await expectCleanPage(browserPage);
    await focusArrivesOn(page, 'field-code-totp');
    await page.keyboard.type(nextCode(server, secret));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/account/sessions`);
    expect(await signedInAs(page)).toBe(email);
    await browserPage.context.close();
  });

  it('work without JavaScript: sign-up, forgot and reset password, sign-in with TOTP', async () => {
    const browserPage = await openBrowserPage(browser, { javaScriptEnabled: false });
    const { page } = browserPage;
    const email = uniqueEmail('nojs');
    await page.goto(`${origin}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(strongPassword);
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.waitForURL(`${origin}/signup/check-email`);

    await page.goto(`${origin}/forgot-password`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.waitForURL(`${origin}/forgot-password?notice=reset_requested`);
    const mail = await mailFor(server, email, /Reset your password/);
    const token = tokenOf(mail) ?? '';
    await page.goto(`${origin}/reset-password?token=${encodeURIComponent(token)}`);
    const newPassword = 'a new passphrase without js 9';
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.waitForURL(`${origin}/login?notice=password_reset`);

    const api = new Client(server.url);
    const login = await api.post<{ csrfToken: string }>('/auth/login', {
      email,
      password: newPassword,
    });
    api.csrfToken = login.body.csrfToken;
    const { secret } = await enrolTotp(server, api);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${origin}/login/mfa`);
    await page.getByLabel('Code from your app').fill(nextCode(server, secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${origin}/account`);
    const cookies = await browserPage.context.cookies();
    expect(cookies.some((c) => c.name === '__Host-gh_session')).toBe(true);
    await browserPage.context.close();
  });
});

describe('every sign-in page is clean (axe, CSP)', () => {
  it('sign-up, check-your-mail, forgot password, email link, and their error states', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    for (const path of [
      '/login',
      '/signup',
      '/signup/check-email',
      '/forgot-password',
      '/login/email-link',
      '/verify-email/resend',
    ]) {
      await page.goto(`${origin}${path}`);
      await expectCleanPage(browserPage);
    }
    await page.goto(`${origin}/signup`);
    await page.getByLabel('Email').fill(uniqueEmail('weak'));
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.waitForLoadState();
    await expect.poll(() => page.locator('.field-error').count()).toBeGreaterThan(0);
    await expectCleanPage(browserPage);
    await page.goto(`${origin}/login`);
    await page.getByLabel('Email').fill(uniqueEmail('nobody'));
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(1);
    await expectCleanPage(browserPage);
    await browserPage.context.close();
  });

  it('the mailed-link pages: reset, verify email, magic link, and a link that is gone', async () => {
    const { email } = await newAccount();
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    const verifyToken = await mailedToken(server, email, /Verify your email/);
    await page.goto(`${origin}/verify-email?token=${encodeURIComponent(verifyToken)}`);
    await expectCleanPage(browserPage);
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await page.waitForURL(`${origin}/login?notice=email_verified`);
    await expectCleanPage(browserPage);

    await page.goto(`${origin}/login/email-link`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.waitForURL(/notice=magic_link_requested/);
    await expectCleanPage(browserPage);
    const mail = await mailFor(server, email, /sign-in link/);
    const magic = tokenOf(mail) ?? '';
    await page.goto(`${origin}/magic-link?token=${encodeURIComponent(magic)}`);
    await expectCleanPage(browserPage);
    await page.getByRole('button', { name: 'Continue signing in' }).click();
    await page.waitForURL(`${origin}/account`);
    expect(await signedInAs(page)).toBe(email);
    expect(page.url()).not.toContain(magic);
    await page.goto(`${origin}/verify-email/resend`); // signed in: no email field, its own address
    await expectCleanPage(browserPage);

    for (const path of [
      '/reset-password?token=whatever',
      '/reset-password',
      '/verify-email',
      '/magic-link',
    ]) {
      await page.goto(`${origin}${path}`);
      await expectCleanPage(browserPage);
    }
    await page.goto(`${origin}/magic-link?token=${encodeURIComponent(magic)}`);
    await page.getByRole('button', { name: 'Continue signing in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid any more');
    await expectCleanPage(browserPage);
    await browserPage.context.close();
  });
});
