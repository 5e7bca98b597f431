/**
 * One key ring, one JWKS: the provider signs with the ring's keys, publishes
 * the same JWKS as /.well-known/jwks.json, and moves to a new key when the
 * ring rotates (here, or on another instance) without losing the old one.
 */
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../../src/authn/account/registration.js';
import { strongPassword, uniqueEmail } from '../../helpers/accounts.js';
import {
  authorizeInBrowser,
  newBrowser,
  type RelyingParty,
  relyingParty,
  startAuthorization,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
let rp: RelyingParty;
const person = { email: uniqueEmail('keys'), password: strongPassword };

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
  rp = await relyingParty(server);
  await register(server.core, { ...person, roles: [] }, { ip: null, userAgent: 'test' });
});
afterAll(() => server.stop());

async function idToken(browser = newBrowser(server)): Promise<string> {
  const started = await startAuthorization(rp);
  const back = await authorizeInBrowser(browser, started.url, person);
  const tokens = await oidc.authorizationCodeGrant(rp.config, back, {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
  });
  return String(tokens.id_token);
}

const jwksAt = async (url: string) => (await fetch(url)).json();

describe('signing keys', () => {
  it('publishes one JWKS: the discovery jwks_uri serves what /.well-known/jwks.json serves', async () => {
    const jwksUri = String(rp.config.serverMetadata().jwks_uri);
    expect(jwksUri).toBe(`${server.url}/oauth2/jwks`);
    expect(await jwksAt(jwksUri)).toEqual(await jwksAt(`${server.url}/.well-known/jwks.json`));
  });

  it('signs ID tokens with the ring key, and with the new one after a rotation', async () => {
    const before = decodeProtectedHeader(await idToken());
    expect(before.kid).toBe(server.core.keys.signer().kid);
    expect(before.alg).toBe('EdDSA');
    const newKid = await server.core.keys.rotate();
    const browser = newBrowser(server);
    const after = decodeProtectedHeader(await idToken(browser));
    expect(after.kid).toBe(newKid);
    expect(after.kid).not.toBe(before.kid);
    const published = (await jwksAt(`${server.url}/oauth2/jwks`)) as { keys: { kid: string }[] };
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([before.kid, newKid]));
  });
});
