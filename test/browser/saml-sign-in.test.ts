import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { enrolTotp, nextCode } from '../helpers/mfa.js';
import { TestIdp } from '../helpers/saml-idp.js';
import type { TestServer } from '../helpers/server.js';
import { expectCleanPage, focusArrivesOn, openBrowserPage, startPagesServer } from './pages.js';

let browser: Browser;
let server: TestServer;
let origin: string;
let idp: TestIdp;
const email = `sso-${process.pid}@corp.test`;

beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  idp = await TestIdp.create();
  // The IdP signs `email` in as soon as the browser arrives, and posts the answer back.
  await idp.listen({ nameId: email, email });
  ({ server, origin } = await startPagesServer({
    settings: {
      saml: {
        connections: [
          {
            id: 'corp',
            name: 'Corp',
            metadataXml: idp.metadata(),
            emailDomains: ['corp.test'],
            attributes: { email: 'email' },
            allowCreate: true,
          },
        ],
      },
    },
  }));
});
afterAll(async () => {
  await server?.stop();
  await idp?.close();
  await browser?.close();
});

describe('SAML single sign-on in a browser', () => {
  it('goes from /login to the IdP for an email of its domain and comes back signed in', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await page.goto(`${origin}/login?return_to=${encodeURIComponent('/account/sessions')}`);
    await expectCleanPage(browserPage);
    await focusArrivesOn(page, 'field-email');
    await page.keyboard.type(email); // no password needed
    await Promise.all([
      page.waitForURL(`${origin}/account/sessions`, { timeout: 15_000 }),
      page.keyboard.press('Enter'),
    ]);
    const me = await page.evaluate(() =>
      fetch('/auth/me').then((r) => r.json() as Promise<{ user: { email: string } }>),
    );
    expect(me.user.email).toBe(email);
    await expectCleanPage(browserPage);
    await browserPage.context.close();
  });

  it('still asks for the second factor of an account that has one', async () => {
    const mfaEmail = `sso-mfa-${process.pid}@corp.test`;
    const local = await signedInUser(server, { email: mfaEmail });
    const { secret } = await enrolTotp(server, local.client);
    await server.core.store.db
      .updateTable('users')
      .set({ email_verified_at: Date.now() })
      .where('id', '=', local.userId)
      .execute();
    idp.user = { nameId: mfaEmail, email: mfaEmail };
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await page.goto(`${origin}/login`);
    await focusArrivesOn(page, 'field-email');
    await page.keyboard.type(mfaEmail);
    await Promise.all([
      page.waitForURL(`${origin}/login/mfa`, { timeout: 15_000 }),
      page.keyboard.press('Enter'),
    ]);
    await expectCleanPage(browserPage);
    await page.getByLabel(/code/i).first().fill(nextCode(server, secret));
    await Promise.all([
      page.waitForURL(`${origin}/account`, { timeout: 15_000 }),
      page.keyboard.press('Enter'),
    ]);
    const me = await page.evaluate(() =>
      fetch('/auth/me').then((r) => r.json() as Promise<{ user: { email: string } }>),
    );
    expect(me.user.email).toBe(mfaEmail);
    await browserPage.context.close();
  });
});
