/**
 * How ID tokens are signed: with the key ring's primary algorithm (EdDSA) by
 * default; with RS256 for a client registered for it, when the ring keeps an
 * RSA key (`tokens.rsaSigningKey`), as relying parties that know nothing else need.
 */
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/provider/clients.js';
import { newUserSignsIn, type RelyingParty, relyingParty } from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let withRsa: TestServer;
let withoutRsa: TestServer;

beforeAll(async () => {
  [withRsa, withoutRsa] = await Promise.all([
    startTestServer({
      realClock: true,
      reachableIssuer: true,
      settings: { tokens: { rsaSigningKey: true } },
    }),
    startTestServer({ realClock: true, reachableIssuer: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([withRsa?.stop(), withoutRsa?.stop()]);
});

/** Signs a new user in to `rp` and redeems the code; openid-client validates the ID token. */
async function signIn(server: TestServer, rp: RelyingParty) {
  const { user, tokens } = await newUserSignsIn(server, rp);
  if (!tokens.id_token) throw new Error('no ID token');
  return { userId: user.id, idToken: tokens.id_token, claims: tokens.claims() };
}

describe('ID token signing algorithm', () => {
  it('RS256 for a client registered for it, with the ring’s RSA key; openid-client validates it', async () => {
    const rp = await relyingParty(withRsa, { idTokenSigningAlg: 'RS256' });
    const { userId, idToken, claims } = await signIn(withRsa, rp);
    const header = decodeProtectedHeader(idToken);
    const rsa = withRsa.core.keys.signingKeys().find((key) => key.alg === 'RS256');
    expect(header).toMatchObject({ alg: 'RS256', kid: rsa?.kid });
    expect(claims?.sub).toBe(userId);
  });

  it('the primary algorithm (EdDSA) by default, also when the ring has an RSA key', async () => {
    for (const server of [withRsa, withoutRsa]) {
      const rp = await relyingParty(server);
      const { idToken } = await signIn(server, rp);
      expect(decodeProtectedHeader(idToken)).toMatchObject({
        alg: 'EdDSA',
        kid: server.core.keys.signer().kid,
      });
    }
  });

  it('a client registered for EdDSA explicitly gets EdDSA, which openid-client then insists on', async () => {
    const rp = await relyingParty(withRsa, { idTokenSigningAlg: 'EdDSA' });
    const { idToken } = await signIn(withRsa, rp);
    expect(decodeProtectedHeader(idToken).alg).toBe('EdDSA');
  });

  it('without an RSA key, an RS256 client is refused at creation; so is an algorithm the ring lacks', async () => {
    const app = { name: 'Legacy App', redirectUris: ['http://localhost:4999/callback'] };
    await expect(
      createClient(withoutRsa.core, { ...app, idTokenSigningAlg: 'RS256' }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(
      createClient(withRsa.core, { ...app, idTokenSigningAlg: 'ES256' }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
