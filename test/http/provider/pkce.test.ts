/**
 * PKCE (S256) is required of every client, public or confidential, and a
 * code redeems only with the verifier of the request it answers: a code
 * stolen or injected into another session is worth nothing. State and nonce
 * come back exactly as the app sent them.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectOauthError,
  issuedCode,
  openProviderPage,
  redeemCode,
} from '../../helpers/provider-attacks.js';
import { APP_CALLBACK, type RelyingParty, relyingParty } from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
let publicApp: RelyingParty;
let confidentialApp: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
  publicApp = await relyingParty(server, { name: 'Public App', public: true });
  confidentialApp = await relyingParty(server, { name: 'Confidential App' });
});
afterAll(() => server.stop());

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

/** An authorization request with the PKCE parameters a test gives (none unless given). */
const authorize = (rp: RelyingParty, pkce: Record<string, string>) =>
  openProviderPage(server, '/oauth2/auth', {
    client_id: rp.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: APP_CALLBACK,
    state: 'app-state',
    ...pkce,
  });

/**
 * oidc-provider checks the redirect URI first; the PKCE error then goes back
 * to the (registered) app as an RFC 6749 error, before anyone signs in: no code.
 */
function expectErrorBackToApp(
  answer: { status: number; location: string | null },
  description: RegExp,
): void {
  expect(answer.status).toBe(303);
  const back = new URL(answer.location ?? '');
  expect(`${back.origin}${back.pathname}`).toBe(APP_CALLBACK);
  expect(back.searchParams.get('error')).toBe('invalid_request');
  expect(back.searchParams.get('error_description')).toMatch(description);
  expect(back.searchParams.get('state')).toBe('app-state');
  expect(back.searchParams.get('iss')).toBe(server.core.issuer);
  expect(back.searchParams.has('code')).toBe(false);
}

describe('PKCE at the authorization endpoint', () => {
  it('a public client without PKCE: invalid_request back to the app, no sign-in, no code', async () => {
    expectErrorBackToApp(await authorize(publicApp, {}), /requires PKCE/);
  });

  it('a confidential client without PKCE is refused too: Gatehouse requires PKCE of every client', async () => {
    expectErrorBackToApp(await authorize(confidentialApp, {}), /requires PKCE/);
  });

  it.each([
    ['the plain method', { code_challenge: CHALLENGE, code_challenge_method: 'plain' }],
    ['a challenge without a method (plain by default)', { code_challenge: CHALLENGE }],
    ['an unknown method', { code_challenge: CHALLENGE, code_challenge_method: 'S512' }],
    ['the method without a challenge', { code_challenge_method: 'S256' }],
    ['a challenge too short', { code_challenge: 'abc', code_challenge_method: 'S256' }],
    [
      'a challenge with characters outside the verifier alphabet',
      { code_challenge: `${CHALLENGE.slice(0, 40)}+/=!`, code_challenge_method: 'S256' },
    ],
  ])('%s: refused for public and confidential clients', async (_what, pkce) => {
    for (const rp of [publicApp, confidentialApp]) {
      const answer = await authorize(rp, pkce);
      expectErrorBackToApp(answer, /code_challenge/);
    }
  });

  it('S256 with a well-formed challenge goes on to the sign-in (the control)', async () => {
    const answer = await authorize(publicApp, {
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    });
    expect(answer.status).toBe(303);
    expect(answer.location).toMatch(/^\/authorize\//);
  });
});

describe('the code is bound to its verifier', () => {
  it.each([
    ['public', () => publicApp],
    ['confidential', () => confidentialApp],
  ])(
    '%s client: another verifier, none, or the challenge itself → invalid_grant',
    async (_kind, app) => {
      const rp = app();
      const issued = await issuedCode(server, rp);
      const other = await issuedCode(server, rp);
      const challenge = await oidc.calculatePKCECodeChallenge(issued.verifier);
      for (const verifier of [other.verifier, challenge, oidc.randomPKCECodeVerifier()])
        expectOauthError(
          await redeemCode(server, rp, issued, { code_verifier: verifier }),
          400,
          'invalid_grant',
        );
      expectOauthError(
        await redeemCode(server, rp, issued, { code_verifier: '' }),
        400,
        'invalid_grant',
      );
      // A verifier of the wrong shape is a bad request, not a guess.
      expectOauthError(
        await redeemCode(server, rp, issued, { code_verifier: 'short' }),
        400,
        'invalid_request',
      );
      // The attempts spent nothing: the app still redeems its code with its own verifier.
      const honest = await redeemCode(server, rp, issued);
      expect(honest.status, JSON.stringify(honest.body)).toBe(200);
    },
  );

  it('a code injected into another session (the victim app’s verifier) does not redeem', async () => {
    const victim = await issuedCode(server, publicApp);
    const attackers = await issuedCode(server, publicApp);
    // The victim's app receives the attacker's code (and the victim's state) and redeems it.
    const injected = new URL(victim.back);
    injected.searchParams.set('code', attackers.code);
    await expect(
      oidc.authorizationCodeGrant(publicApp.config, injected, {
        pkceCodeVerifier: victim.verifier,
        expectedState: victim.state,
        expectedNonce: victim.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('state and nonce', () => {
  it('state comes back exactly, even when it looks like more parameters', async () => {
    const state = 'x&code=attacker-code&iss=https://evil.example#frag';
    const issued = await issuedCode(server, publicApp, { state });
    expect(issued.back.searchParams.getAll('state')).toEqual([state]);
    expect(issued.back.searchParams.getAll('code')).toHaveLength(1);
    expect(issued.back.searchParams.getAll('iss')).toEqual([server.core.issuer]);
    expect(issued.back.hash).toBe('');
  });

  it('the ID token carries the nonce of its own request, and an app expecting another refuses it', async () => {
    const first = await issuedCode(server, publicApp);
    const second = await issuedCode(server, publicApp);
    const answer = await redeemCode(server, publicApp, first);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const [, payload = ''] = String(answer.body.id_token).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { nonce?: string };
    expect(claims.nonce).toBe(first.nonce);
    await expect(
      oidc.authorizationCodeGrant(publicApp.config, second.back, {
        pkceCodeVerifier: second.verifier,
        expectedState: second.state,
        expectedNonce: first.nonce,
      }),
    ).rejects.toMatchObject({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' });
  });
});
