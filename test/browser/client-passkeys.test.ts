import type { ClientMode, GatehouseError } from '@gatehouse/client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registeredUser, strongPassword } from '../helpers/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  type AppWindow,
  type ClientApp,
  openAppWithAuthenticator,
  startClientApp,
} from './client-app.js';

declare const window: AppWindow;

/**
 * The passkey helpers over @simplewebauthn/browser, with Chromium's virtual
 * authenticator, in both modes: register one while signed in, sign in with it
 * alone, and use it as the second step after a password.
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

/** A new account signed in with its password on a page with an authenticator, and a passkey added. */
async function withPasskey(mode: ClientMode): Promise<Page> {
  const { email } = await registeredUser(server);
  const page = await openAppWithAuthenticator(browser, app.origin);
  const passkey = await page.evaluate(
    async ({ mode, email, password }) => {
      window.client = window.gatehouse.createClient({ baseUrl: '/', mode });
      await window.client.signIn({ email, password });
      return window.gatehouse.registerPasskey(window.client, { name: 'Laptop' });
    },
    { mode, email, password: strongPassword },
  );
  expect(passkey).toMatchObject({ name: 'Laptop', lastUsedAt: null });
  return page;
}

describe.each(['cookie', 'token'] as const)('browser client passkeys, %s mode', (mode) => {
  it('registers a passkey, signs out, and signs in with the passkey alone', async () => {
    const page = await withPasskey(mode);
    const result = await page.evaluate(async () => {
      await window.client.signOut();
      const signedIn = await window.gatehouse.signInWithPasskey(window.client);
      const me = await window.client.me();
      return { signedIn, me };
    });
    expect(result.signedIn.kind).toBe('signed_in');
    expect(result.me.authentication).toMatchObject({ amr: ['hwk', 'user'], acr: 'aal2' });
    expect(result.me.user.via).toBe(mode === 'cookie' ? 'session' : 'access_token');
    await page.context().close();
  });

  it('a password sign-in asks for the passkey as its second step', async () => {
    const page = await withPasskey(mode);
    const me = await page.evaluate(async (password) => {
      const { email } = (await window.client.me()).user;
      await window.client.signOut();
      const first = await window.client.signIn({ email, password });
      if (first.kind !== 'mfa_required') throw new Error('no second step was asked for');
      await window.gatehouse.verifySecondFactorWithPasskey(window.client, first.challenge);
      return window.client.me();
    }, strongPassword);
    expect(me.authentication).toMatchObject({ amr: ['pwd', 'hwk', 'user'], acr: 'aal2' });
    await page.context().close();
  });
});

describe('browser client passkeys, failures', () => {
  it('a stale login cannot add a passkey: step_up_required, typed, with the max age', async () => {
    const { email } = await registeredUser(server);
    const page = await openAppWithAuthenticator(browser, app.origin);
    await page.evaluate(
      async ({ email, password }) => {
        window.client = window.gatehouse.createClient({ baseUrl: '/', mode: 'cookie' });
        await window.client.signIn({ email, password });
      },
      { email, password: strongPassword },
    );
    server.clock.advance(11 * 60_000);
    const refreshes = app.hitsOn('/auth/refresh').length;
    const failure = await page.evaluate(async () => {
      try {
        await window.gatehouse.registerPasskey(window.client);
        return 'registered';
      } catch (error) {
        const { code, status, maxAgeSeconds } = error as GatehouseError;
        return { code, status, maxAgeSeconds };
      }
    });
    expect(failure).toEqual({ code: 'step_up_required', status: 401, maxAgeSeconds: 600 });
    expect(app.hitsOn('/auth/refresh')).toHaveLength(refreshes);
    await page.context().close();
  });
});
