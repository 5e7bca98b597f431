/**
 * What ends a Gatehouse session ends what apps got under it: logging out
 * (page or API), revoking the session from another device, a ban, a password
 * change that signs the other sessions out. The browser is asked to sign in
 * again at its next authorization, and the app's refresh token stops working.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../../helpers/accounts.js';
import type { Client } from '../../helpers/client.js';
import { submitForm } from '../../helpers/pages.js';
import {
  authorizeInBrowser,
  follow,
  pathOf,
  type RelyingParty,
  redeem,
  relyingParty,
  startAuthorization,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { claimsOf, logIn, type TokenUser, tokenUser } from '../../helpers/tokens.js';

let server: TestServer;
let rp: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
  rp = await relyingParty(server, { name: 'Refreshing App' });
});
afterAll(() => server.stop());

/** The app signed in through a browser holding `device`'s Gatehouse session: its tokens. */
async function appTokens(device: { client: Client }, user: { email: string; password: string }) {
  const started = await startAuthorization(rp);
  const back = await authorizeInBrowser(device.client, started.url, user);
  const tokens = await redeem(rp, back, started);
  if (!tokens.refresh_token) throw new Error('no refresh token issued');
  return { access: tokens.access_token, refresh: tokens.refresh_token };
}

const refreshFails = async (refreshToken: string) => {
  await expect(oidc.refreshTokenGrant(rp.config, refreshToken)).rejects.toMatchObject({
    error: 'invalid_grant',
  });
};

/** Where the browser's next authorization for the app stops: a page path, or the app. */
const nextAuthorization = async (browser: Client) =>
  follow(browser, pathOf((await startAuthorization(rp)).url));

const sessionIdOf = (device: Pick<TokenUser, 'accessToken'>) =>
  String(claimsOf(device.accessToken).sid);

describe('a Gatehouse session ends → what the app got under it ends', () => {
  it('a refresh works while the session lives (the control for the cases below)', async () => {
    const user = await tokenUser(server);
    const tokens = await appTokens(user, user);
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh);
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh);
    const alive = await nextAuthorization(user.client);
    expect(alive.leftTo).not.toBeNull();
  });

  it('signing out on the page (POST /logout): a sign-in is asked again, the refresh token is dead', async () => {
    const user = await tokenUser(server);
    const tokens = await appTokens(user, user);
    const out = await submitForm(user.client, '/logout', {}, { from: '/account' });
    expect(out.status).toBe(303);
    expect((await nextAuthorization(user.client)).path).toMatch(/^\/login\?/);
    await refreshFails(tokens.refresh);
    expect((await oidc.tokenIntrospection(rp.config, tokens.access)).active).toBe(false);
  });

  it('POST /auth/logout: the same', async () => {
    const user = await tokenUser(server);
    const tokens = await appTokens(user, user);
    expect((await user.client.post('/auth/logout')).status).toBe(204);
    expect((await nextAuthorization(user.client)).path).toMatch(/^\/login\?/);
    await refreshFails(tokens.refresh);
  });

  it('DELETE /auth/sessions/:id from another device: the same, and that device keeps its own', async () => {
    const user = await tokenUser(server);
    const tokens = await appTokens(user, user);
    const phone = await logIn(server, user.email, user.password);
    const phoneTokens = await appTokens(phone, user);
    expect((await phone.client.delete(`/auth/sessions/${sessionIdOf(user)}`)).status).toBe(204);
    expect((await nextAuthorization(user.client)).path).toMatch(/^\/login\?/);
    await refreshFails(tokens.refresh);
    expect(
      (await oidc.refreshTokenGrant(rp.config, phoneTokens.refresh)).access_token,
    ).toBeTruthy();
  });

  it('a ban: the refresh token fails, introspection says inactive', async () => {
    const user = await tokenUser(server);
    const tokens = await appTokens(user, user);
    expect((await oidc.tokenIntrospection(rp.config, tokens.refresh)).active).toBe(true);
    const admin = await signedInUser(server, { roles: ['admin'] });
    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
    await refreshFails(tokens.refresh);
    expect((await oidc.tokenIntrospection(rp.config, tokens.access)).active).toBe(false);
    expect((await oidc.tokenIntrospection(rp.config, tokens.refresh)).active).toBe(false);
    expect((await nextAuthorization(user.client)).path).toMatch(/^\/login\?/);
  });

  it('a password change that signs the other sessions out ends their grants, not its own', async () => {
    const user = await tokenUser(server);
    const tokens = await appTokens(user, user);
    const laptop = await logIn(server, user.email, user.password);
    const laptopTokens = await appTokens(laptop, user);
    const changed = await laptop.client.post('/auth/password/change', {
      currentPassword: user.password,
      newPassword: 'a brand new passphrase for the laptop 7',
    });
    expect(changed.status).toBe(204);
    await refreshFails(tokens.refresh);
    expect((await nextAuthorization(user.client)).path).toMatch(/^\/login\?/);
    expect(
      (await oidc.refreshTokenGrant(rp.config, laptopTokens.refresh)).access_token,
    ).toBeTruthy();
  });
});
