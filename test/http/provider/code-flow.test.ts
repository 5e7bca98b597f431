/**
 * Gatehouse as an OpenID Provider, seen from a relying party: openid-client
 * discovers it, sends the browser (a cookie jar following redirects) through
 * Gatehouse's sign-in and consent pages, and redeems the code.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredUser } from '../../helpers/accounts.js';
import {
  APP_CALLBACK,
  authorizeInBrowser,
  newBrowser,
  relyingParty,
  startAuthorization,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
});
afterAll(() => server.stop());

describe('authorization code flow', () => {
  it('discovery, authorize, sign-in, consent, token, ID token, userinfo', async () => {
    const rp = await relyingParty(server);
    expect(rp.config.serverMetadata().issuer).toBe(server.core.issuer);
    const someone = await registeredUser(server);
    const browser = newBrowser(server);
    const started = await startAuthorization(rp);
    const back = await authorizeInBrowser(browser, started.url, someone);
    expect(`${back.origin}${back.pathname}`).toBe(APP_CALLBACK);
    const tokens = await oidc.authorizationCodeGrant(rp.config, back, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    const claims = tokens.claims();
    expect(claims?.sub).toBe(someone.id);
    expect(claims?.amr).toEqual(['pwd']);
    expect(claims?.acr).toBe('aal1');
    expect(typeof claims?.auth_time).toBe('number');
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, someone.id);
    expect(info.email).toBe(someone.email);
    expect(info.email_verified).toBe(false);
  });
});
