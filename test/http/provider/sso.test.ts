/**
 * Single sign-on: a browser already signed in to Gatehouse (directly, or
 * through a first app) signs in to another app with no password; an
 * untrusted app still asks for consent, a trusted one asks nothing.
 * `prompt=select_account` lets the user pick the signed-in account or another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredUser, signedInUser } from '../../helpers/accounts.js';
import { openPage } from '../../helpers/pages.js';
import {
  APP_CALLBACK,
  answerConsent,
  authorizeInBrowser,
  follow,
  newBrowser,
  pathOf,
  redeem,
  relyingParty,
  signInOnPage,
  startAuthorization,
  submitAutoPost,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
});
afterAll(() => server.stop());

const atApp = (url: URL | null) => (url ? `${url.origin}${url.pathname}` : null);

describe('single sign-on', () => {
  it('signed in on Gatehouse: a trusted app signs the user in with no page at all', async () => {
    const someone = await signedInUser(server);
    const rp = await relyingParty(server, { trusted: true });
    const started = await startAuthorization(rp);
    // Redirects only, every hop: no page is drawn on the way.
    let path = pathOf(started.url);
    let back: URL | null = null;
    for (let hops = 0; hops < 10 && !back; hops++) {
      const response = await openPage(someone.client, path);
      expect(response.status, path).toBe(303);
      const next = new URL(response.headers.get('location') ?? '', server.url);
      if (next.origin === new URL(server.url).origin) path = pathOf(next);
      else back = next;
    }
    expect(atApp(back)).toBe(APP_CALLBACK);
    const tokens = await redeem(rp, back as URL, started);
    expect(tokens.claims()?.sub).toBe(someone.userId);
  });

  it('signed in through a first app: a second, untrusted app asks for consent, not a password', async () => {
    const someone = await registeredUser(server);
    const browser = newBrowser(server);
    const first = await relyingParty(server, { name: 'First App' });
    await authorizeInBrowser(browser, (await startAuthorization(first)).url, someone);

    const second = await relyingParty(server, { name: 'Second App' });
    const started = await startAuthorization(second);
    const at = await follow(browser, pathOf(started.url));
    expect(at.path).toMatch(/^\/authorize\//);
    expect(at.page?.status).toBe(200);
    expect(at.page?.text).toContain('Second App wants to use your account');
    const back = await follow(browser, await answerConsent(browser, at.path, 'allow'));
    expect(atApp(back.leftTo)).toBe(APP_CALLBACK);
    const tokens = await redeem(second, back.leftTo as URL, started);
    expect(tokens.claims()?.sub).toBe(someone.id);
    // No second sign-in: the ID token tells the first (and only) one.
    expect(tokens.claims()?.amr).toEqual(['pwd']);
  });

  it('signed in through a first app: a trusted second app completes with no page', async () => {
    const someone = await registeredUser(server);
    const browser = newBrowser(server);
    const first = await relyingParty(server);
    const firstBack = await authorizeInBrowser(
      browser,
      (await startAuthorization(first)).url,
      someone,
    );
    expect(atApp(firstBack)).toBe(APP_CALLBACK);

    const second = await relyingParty(server, { trusted: true });
    const started = await startAuthorization(second);
    const at = await follow(browser, pathOf(started.url));
    expect(atApp(at.leftTo)).toBe(APP_CALLBACK);
    expect((await redeem(second, at.leftTo as URL, started)).claims()?.sub).toBe(someone.id);
  });
});

describe('prompt=select_account', () => {
  it('shows “Continue as” and “Use another account”; continuing keeps the signed-in user', async () => {
    const someone = await signedInUser(server);
    const rp = await relyingParty(server, { trusted: true });
    const started = await startAuthorization(rp, { prompt: 'select_account' });
    const at = await follow(someone.client, pathOf(started.url));
    expect(at.path).toMatch(/^\/authorize\//);
    expect(at.page?.text).toContain(`Continue as ${someone.email}`);
    expect(at.page?.text).toContain('Use another account');
    const back = await follow(
      someone.client,
      await answerConsent(someone.client, at.path, 'continue'),
    );
    expect(atApp(back.leftTo)).toBe(APP_CALLBACK);
    expect((await redeem(rp, back.leftTo as URL, started)).claims()?.sub).toBe(someone.userId);
  });

  it('nobody signed in: the sign-in is the choice, no “Continue as” after it', async () => {
    const someone = await registeredUser(server);
    const browser = newBrowser(server);
    const rp = await relyingParty(server, { trusted: true });
    const started = await startAuthorization(rp, { prompt: 'select_account' });
    const login = await follow(browser, pathOf(started.url));
    expect(login.path).toMatch(/^\/login\?/);
    const back = await follow(
      browser,
      await signInOnPage(browser, login.path, someone.email, someone.password),
    );
    expect(atApp(back.leftTo)).toBe(APP_CALLBACK);
    expect((await redeem(rp, back.leftTo as URL, started)).claims()?.sub).toBe(someone.id);
  });

  it('“Use another account” after a first app signed the first account in: the new one stays signed in', async () => {
    const first = await registeredUser(server);
    const other = await registeredUser(server);
    const browser = newBrowser(server);
    const app = await relyingParty(server, { trusted: true });
    await authorizeInBrowser(browser, (await startAuthorization(app)).url, first);
    const rp = await relyingParty(server, { trusted: true });
    const started = await startAuthorization(rp, { prompt: 'select_account' });
    const at = await follow(browser, pathOf(started.url));
    expect(at.page?.text).toContain(`Continue as ${first.email}`);
    const login = await follow(browser, await answerConsent(browser, at.path, 'switch'));
    const signedIn = await follow(
      browser,
      await signInOnPage(browser, login.path, other.email, other.password),
    );
    // The provider first ends its session of the first account (a self-posting form) ...
    const back = await submitAutoPost(browser, signedIn.page?.text ?? '');
    expect(atApp(back.leftTo)).toBe(APP_CALLBACK);
    expect((await redeem(rp, back.leftTo as URL, started)).claims()?.sub).toBe(other.id);
    // ... and that does not sign the browser out of the account it just signed in with.
    const me = await browser.get<{ user: { id: string } }>('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(other.id);
  });

  it('“Use another account” signs out here, asks for a sign-in and goes on as the other user', async () => {
    const someone = await signedInUser(server);
    const other = await registeredUser(server);
    const rp = await relyingParty(server, { trusted: true });
    const started = await startAuthorization(rp, { prompt: 'select_account' });
    const at = await follow(someone.client, pathOf(started.url));
    const login = await follow(
      someone.client,
      await answerConsent(someone.client, at.path, 'switch'),
    );
    expect(login.path).toMatch(/^\/login\?/);
    // The first account's session ended: it is no longer signed in anywhere.
    expect((await someone.client.get('/auth/me')).status).toBe(401);
    const back = await follow(
      someone.client,
      await signInOnPage(someone.client, login.path, other.email, other.password),
    );
    expect(atApp(back.leftTo)).toBe(APP_CALLBACK);
    expect((await redeem(rp, back.leftTo as URL, started)).claims()?.sub).toBe(other.id);
  });
});
