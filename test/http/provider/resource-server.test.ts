/**
 * A resource server (an API) behind gatehouse/verify, taking the OpenID
 * Provider's RFC 9068 tokens: a machine's (client credentials) and a user's
 * (code flow with `resource`). Here the API's audience is also the
 * first-party `tokens.audience`, so one verifier takes Gatehouse's own tokens too.
 */

import { createVerifier, type Verifier } from '@gatehouse/verify';
import { bearerAuth, requireScope } from '@gatehouse/verify/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../../src/authn/account/registration.js';
import { strongPassword, uniqueEmail } from '../../helpers/accounts.js';
import type { Client } from '../../helpers/client.js';
import {
  API,
  API_SCOPES,
  authorizeInBrowser,
  follow,
  machineParty,
  newBrowser,
  oauthErrorOf,
  relyingParty,
  signInOnPage,
  startAuthorization,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { meWithToken, tokenUser, within } from '../../helpers/tokens.js';

let server: TestServer;
let verifier: Verifier;
let api: FastifyInstance;

beforeAll(async () => {
  server = await startTestServer({
    realClock: true,
    reachableIssuer: true,
    settings: {
      tokens: { audience: API },
      provider: { resourceServers: [{ audience: API, scopes: API_SCOPES }] },
    },
  });
  // As a resource server configures it; the revocation set is the one the
  // server's revocation feed fills (an API would subscribe to that feed).
  verifier = createVerifier({
    jwksUrl: `${server.url}/.well-known/jwks.json`,
    issuer: server.core.issuer,
    audience: API,
    revocation: server.core.revocations.set,
  });
  api = Fastify();
  const auth = bearerAuth(verifier);
  api.get('/posts', { preHandler: [auth, requireScope(['posts:read'])] }, async (request) => ({
    sub: request.accessToken?.sub,
    isMachine: request.accessToken?.isMachine,
  }));
  api.post('/posts', { preHandler: [auth, requireScope(['posts:write'])] }, async () => ({}));
  await api.ready();
});
afterAll(async () => {
  await api.close();
  await server.stop();
});

const callApi = (method: 'GET' | 'POST', token: string) =>
  api.inject({ method, url: '/posts', headers: { authorization: `Bearer ${token}` } });

/** A user who signs in at Gatehouse in a browser and lets an app call the API for them. */
async function userTokenForApi(scope = 'openid posts:read') {
  const email = uniqueEmail('rs');
  const user = await register(
    server.core,
    { email, password: strongPassword, roles: ['admin'] },
    { ip: null, userAgent: 'test' },
  );
  const rp = await relyingParty(server);
  const browser = newBrowser(server);
  const started = await startAuthorization(rp, { scope, resource: API });
  const back = await authorizeInBrowser(browser, started.url, { email, password: strongPassword });
  const tokens = await oidc.authorizationCodeGrant(
    rp.config,
    back,
    {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    },
    { resource: API },
  );
  if (!tokens.refresh_token) throw new Error('the app got no refresh token');
  return {
    userId: user.id,
    rp,
    browser,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
  };
}

async function logOut(browser: Client): Promise<void> {
  const csrf = await browser.get<{ csrfToken: string }>('/auth/csrf');
  browser.csrfToken = csrf.body.csrfToken;
  const response = await browser.post('/auth/logout', {});
  if (response.status !== 204) throw new Error(`logout failed: ${response.status}`);
}

describe('a resource server verifying the provider’s tokens', () => {
  it('a machine token: isMachine, its client id, its scope', async () => {
    const machine = await machineParty(server, 'posts:read');
    const { access_token } = await oidc.clientCredentialsGrant(machine.config, {
      scope: 'posts:read',
      resource: API,
    });
    await expect(verifier.verify(access_token)).resolves.toMatchObject({
      isMachine: true,
      clientId: machine.clientId,
      sub: machine.clientId,
      sid: undefined,
      scope: ['posts:read'],
    });
    const read = await callApi('GET', access_token);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ sub: machine.clientId, isMachine: true });
    // requireScope: posts:write was not granted.
    const write = await callApi('POST', access_token);
    expect(write.statusCode).toBe(403);
    expect(write.json()).toMatchObject({ code: 'insufficient_scope' });
  });

  it('the consent screen names an API scope once, under its API', async () => {
    const email = uniqueEmail('consent');
    await register(
      server.core,
      { email, password: strongPassword, roles: [] },
      { ip: null, userAgent: 'test' },
    );
    const rp = await relyingParty(server);
    const browser = newBrowser(server);
    const started = await startAuthorization(rp, { scope: 'openid posts:read', resource: API });
    const atLogin = await follow(browser, `${started.url.pathname}${started.url.search}`);
    const atConsent = await follow(
      browser,
      await signInOnPage(browser, atLogin.path, email, strongPassword),
    );
    const page = atConsent.page?.text ?? '';
    expect(page).toContain(`On ${API}: posts:read`);
    expect(page.split('posts:read')).toHaveLength(2);
  });

  it('a user token from the code flow with resource: the user, the app, the session, roles, scope', async () => {
    const { userId, rp, accessToken } = await userTokenForApi();
    const verified = await verifier.verify(accessToken);
    expect(verified).toMatchObject({
      isMachine: false,
      sub: userId,
      clientId: rp.clientId,
      roles: ['admin'],
      scope: ['posts:read'],
      acr: 'aal1',
      amr: ['pwd'],
    });
    expect(verified.sid).toEqual(expect.any(String));
    expect((await callApi('GET', accessToken)).statusCode).toBe(200);
    expect((await callApi('POST', accessToken)).statusCode).toBe(403);
  });

  it('logging the user out: the API refuses their provider token (revocation feed), introspection says inactive', async () => {
    const { rp, browser, accessToken, refreshToken } = await userTokenForApi();
    expect((await callApi('GET', accessToken)).statusCode).toBe(200);
    expect((await oidc.tokenIntrospection(rp.config, refreshToken)).active).toBe(true);
    await logOut(browser);
    const refused = async () => {
      const response = await callApi('GET', accessToken);
      return response.statusCode === 401 && response.json().code === 'token_revoked';
    };
    expect(await within(1000, refused)).toBe(true);
    await expect(verifier.verify(accessToken)).rejects.toMatchObject({ code: 'token_revoked' });
    // The provider's own record agrees: the grant ended with the session.
    // The provider's own record agrees: the grant ended with the session. (A JWT access
    // token is not introspectable at oidc-provider, unsupported_token_type: the refresh token is.)
    expect((await oidc.tokenIntrospection(rp.config, refreshToken)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(rp.config, refreshToken).catch(oauthErrorOf)).resolves.toBe(
      'invalid_grant',
    );
  });

  it('one verifier takes first-party tokens too (tokens.audience is the API)', async () => {
    const firstParty = await tokenUser(server);
    expect(decodeJwt(firstParty.accessToken).aud).toBe(API);
    await expect(verifier.verify(firstParty.accessToken)).resolves.toMatchObject({
      sub: firstParty.userId,
      clientId: undefined,
      isMachine: false,
    });
    // A first-party token has no API scopes: authenticated, not allowed.
    expect((await callApi('GET', firstParty.accessToken)).statusCode).toBe(403);
  });
});

describe('Gatehouse’s own routes', () => {
  it('refuse a provider user token, even with aud = tokens.audience: an app the user consented to is not the user', async () => {
    const { accessToken } = await userTokenForApi();
    expect(decodeJwt(accessToken).aud).toBe(API);
    const me = await meWithToken(server, accessToken);
    expect(me.status).toBe(401);
    // A first-party token of the same audience is accepted there.
    const firstParty = await tokenUser(server);
    expect((await meWithToken(server, firstParty.accessToken)).status).toBe(200);
  });

  it('refuse a machine token', async () => {
    const machine = await machineParty(server);
    const { access_token } = await oidc.clientCredentialsGrant(machine.config, {
      scope: 'posts:read',
      resource: API,
    });
    expect((await meWithToken(server, access_token)).status).toBe(401);
  });
});
