/**
 * RP-initiated logout: the app sends the browser to the end-session endpoint
 * with its ID token; Gatehouse asks, and "Sign out" ends the provider's
 * session and the Gatehouse session behind it, then goes back to the app's
 * registered post-logout URI with its state. Apps with a back-channel logout
 * URI are told, with a logout token signed by Gatehouse's keys; so they are
 * when a Gatehouse session ends another way (revoked, the user banned).
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredUser, signedInUser } from '../../helpers/accounts.js';
import type { Client } from '../../helpers/client.js';
import { type LogoutReceiver, startLogoutReceiver } from '../../helpers/logout-receiver.js';
import {
  authorizeInBrowser,
  follow,
  newBrowser,
  pathOf,
  type RelyingParty,
  redeem,
  relyingParty,
  startAuthorization,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { claimsOf, logIn, tokenUser, within } from '../../helpers/tokens.js';

const SIGNED_OUT = 'http://localhost:4999/signed-out';
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

let server: TestServer;
let receiver: LogoutReceiver;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
  receiver = await startLogoutReceiver();
});
afterAll(async () => {
  await receiver.close();
  await server.stop();
});

/** A browser signed in to `rp` through Gatehouse, and what the app got. */
async function signedInApp(rp: RelyingParty, browser: Client = newBrowser(server)) {
  const someone = await registeredUser(server);
  const started = await startAuthorization(rp, { scope: 'openid email' });
  const tokens = await redeem(rp, await authorizeInBrowser(browser, started.url, someone), started);
  return { someone, browser, tokens };
}

/** Answers the provider's sign-out question as the browser would: its own form and token. */
async function confirmLogout(browser: Client, page: string, signOut: boolean) {
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
  const action = /id="op\.logoutForm" method="post" action="([^"]+)"/.exec(page)?.[1];
  if (!xsrf || !action) throw new Error('no sign-out form on the page');
  const body = new URLSearchParams({ xsrf, ...(signOut ? { logout: 'yes' } : {}) });
  return browser.request('POST', pathOf(new URL(action)), {
    body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    manualRedirect: true,
  });
}

describe('RP-initiated logout', () => {
  it('confirm page → sign out: both sessions end, back to the post-logout URI with state', async () => {
    const rp = await relyingParty(server);
    const { browser, tokens } = await signedInApp(rp);
    const state = oidc.randomState();
    const endUrl = oidc.buildEndSessionUrl(rp.config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: SIGNED_OUT,
      state,
    });
    const asked = await follow(browser, pathOf(endUrl));
    expect(asked.page?.status).toBe(200);
    expect(asked.page?.text).toContain('Sign out of Gatehouse and the apps you use with it?');
    expect(asked.page?.headers.get('content-security-policy')).toContain("default-src 'none'");

    const answer = await confirmLogout(browser, asked.page?.text ?? '', true);
    expect(answer.status).toBe(303);
    const back = new URL(answer.headers.get('location') ?? '', server.url);
    expect(`${back.origin}${back.pathname}`).toBe(SIGNED_OUT);
    expect(back.searchParams.get('state')).toBe(state);

    // The Gatehouse session ended too: no silent sign-in anywhere, the app's tokens are dead.
    expect((await browser.get('/auth/me')).status).toBe(401);
    expect((await follow(browser, pathOf((await startAuthorization(rp)).url))).path).toMatch(
      /^\/login\?/,
    );
    await expect(
      oidc.refreshTokenGrant(rp.config, tokens.refresh_token ?? ''),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('“Stay signed in”: the Gatehouse session lives on', async () => {
    const rp = await relyingParty(server);
    const { browser, tokens } = await signedInApp(rp);
    const endUrl = oidc.buildEndSessionUrl(rp.config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: SIGNED_OUT,
    });
    const asked = await follow(browser, pathOf(endUrl));
    const answer = await confirmLogout(browser, asked.page?.text ?? '', false);
    expect(answer.status).toBe(303);
    expect((await browser.get('/auth/me')).status).toBe(200);
  });

  it('an unregistered post_logout_redirect_uri is refused on a Gatehouse page, nothing ends', async () => {
    const rp = await relyingParty(server);
    const { browser, tokens } = await signedInApp(rp);
    for (const uri of [
      'http://localhost:4999/elsewhere',
      `${SIGNED_OUT}/`,
      'https://evil.example/',
    ]) {
      const endUrl = oidc.buildEndSessionUrl(rp.config, {
        id_token_hint: tokens.id_token ?? '',
        post_logout_redirect_uri: uri,
      });
      const refused = await follow(browser, pathOf(endUrl));
      expect(refused.leftTo, uri).toBeNull();
      expect(refused.page?.status, uri).toBe(400);
      expect(refused.page?.text).toContain('post_logout_redirect_uri');
    }
    expect((await browser.get('/auth/me')).status).toBe(200);
  });
});

describe('back-channel logout', () => {
  it('the app with a back-channel URI gets a logout token that verifies against the JWKS', async () => {
    const rp = await relyingParty(server, {
      name: 'Back-channel App',
      backchannelLogoutUri: receiver.uri,
    });
    const { someone, browser, tokens } = await signedInApp(rp);
    const before = receiver.tokens.length;
    const endUrl = oidc.buildEndSessionUrl(rp.config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: SIGNED_OUT,
    });
    const asked = await follow(browser, pathOf(endUrl));
    expect((await confirmLogout(browser, asked.page?.text ?? '', true)).status).toBe(303);

    // The Gatehouse session ended behind it (single logout) does not tell the app twice.
    await server.core.background.drain();
    const received = receiver.tokens.slice(before);
    expect(received).toHaveLength(1);
    await expectLogoutToken(received[0], rp, someone.id);
  });

  it('a Gatehouse session revoked from another device: the app is told', async () => {
    const rp = await relyingParty(server, { backchannelLogoutUri: receiver.uri });
    const user = await tokenUser(server);
    await authorizeInBrowser(user.client, (await startAuthorization(rp)).url, user);
    const before = receiver.tokens.length;
    const phone = await logIn(server, user.email, user.password);
    const sid = String(claimsOf(user.accessToken).sid);
    expect((await phone.client.delete(`/auth/sessions/${sid}`)).status).toBe(204);
    expect(await within(5000, async () => receiver.tokens.length > before)).toBe(true);
    await server.core.background.drain();
    const received = receiver.tokens.slice(before);
    expect(received).toHaveLength(1);
    await expectLogoutToken(received[0], rp, user.userId);
  });

  it('a ban: every app of the user with a back-channel URI is told', async () => {
    const first = await relyingParty(server, { backchannelLogoutUri: receiver.uri });
    const second = await relyingParty(server, { backchannelLogoutUri: receiver.uri });
    const silent = await relyingParty(server);
    const user = await tokenUser(server);
    for (const rp of [first, second, silent])
      await authorizeInBrowser(user.client, (await startAuthorization(rp)).url, user);
    const before = receiver.tokens.length;
    const admin = await signedInUser(server, { roles: ['admin'] });
    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
    expect(await within(5000, async () => receiver.tokens.length >= before + 2)).toBe(true);
    await server.core.background.drain();
    const received = receiver.tokens.slice(before);
    expect(received).toHaveLength(2);
    const audiences = received.map((token) => decodeJwt(token).aud).sort();
    expect(audiences).toEqual([first.clientId, second.clientId].sort());
    for (const token of received)
      await expectLogoutToken(
        token,
        decodeJwt(token).aud === first.clientId ? first : second,
        user.userId,
      );
  });
});

/** A logout token as OpenID Connect Back-Channel Logout 1.0 says, signed with Gatehouse's published keys. */
async function expectLogoutToken(token: string | undefined, rp: RelyingParty, sub: string) {
  const jwks = createRemoteJWKSet(new URL('/oauth2/jwks', server.url));
  const { payload, protectedHeader } = await jwtVerify(token ?? '', jwks, {
    issuer: server.core.issuer,
    audience: rp.clientId,
    typ: 'logout+jwt',
  });
  expect(protectedHeader.kid).toBeTruthy();
  expect(payload.sub).toBe(sub);
  expect(payload.events).toEqual({ [BACKCHANNEL_EVENT]: {} });
  expect(typeof payload.jti).toBe('string');
  expect(typeof payload.iat).toBe('number');
  expect(payload.nonce).toBeUndefined();
}
