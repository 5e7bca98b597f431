import { createVerifier } from '@gatehouse/verify';
import { importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/crypto/secret-box.js';
import { generateSigningKey } from '../../src/crypto/signing-keys.js';
import { insertSigningKey } from '../../src/store/repositories/signing-keys.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, headerOf, logIn, meWithToken, tokenUser } from '../helpers/tokens.js';

const RSA = { tokens: { rsaSigningKey: true } } as const;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: RSA });
});
afterAll(async () => server.stop());

const publishedKeys = async (of: TestServer = server) => {
  const response = await new Client(of.url).get<{ keys: Array<JWK & { kid: string }> }>(
    '/.well-known/jwks.json',
  );
  expect(response.status).toBe(200);
  return response.body.keys;
};

const rsaKeyOf = (of: TestServer) => {
  const key = of.core.keys.signingKeys().find((k) => k.alg === 'RS256');
  if (!key) throw new Error('no RS256 signing key');
  return key;
};

/** A first-party-shaped token signed with the ring's RSA key. */
const signWithRsa = async (claims: Record<string, unknown>) => {
  const rsa = rsaKeyOf(server);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: rsa.kid, typ: 'at+jwt' })
    .sign(await importJWK(rsa.privateJwk, 'RS256'));
};

describe('tokens.rsaSigningKey: an RS256 key beside the primary one', () => {
  it('the ring holds one active key per algorithm, primary first; the JWKS lists both, public members only', async () => {
    expect(server.core.keys.algorithms()).toEqual(['EdDSA', 'RS256']);
    const signing = server.core.keys.signingKeys();
    expect(signing.map((k) => k.alg)).toEqual(['EdDSA', 'RS256']);
    expect(signing[0]?.kid).toBe(server.core.keys.signer().kid);

    const keys = await publishedKeys();
    expect(keys.map((k) => k.kid).sort()).toEqual(signing.map((k) => k.kid).sort());
    const rsa = keys.find((k) => k.kid === rsaKeyOf(server).kid);
    expect(rsa).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(Buffer.from(String(rsa?.n), 'base64url')).toHaveLength(256);
    for (const key of keys)
      for (const name of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(name);
  });

  it('first-party access tokens are still signed with the primary algorithm', async () => {
    const user = await tokenUser(server);
    expect(headerOf(user.accessToken)).toMatchObject({
      alg: 'EdDSA',
      kid: server.core.keys.signer().kid,
    });
    expect((await meWithToken(server, user.accessToken)).status).toBe(200);
  });

  it('a token signed with the RSA key verifies against the JWKS when the verifier allows RS256, not otherwise', async () => {
    const user = await tokenUser(server);
    const token = await signWithRsa({ ...claimsOf(user.accessToken) });
    const verifier = (algorithms?: Array<'EdDSA' | 'RS256'>) =>
      createVerifier({
        issuer: server.core.issuer,
        audience: 'gatehouse',
        jwksUrl: `${server.url}/.well-known/jwks.json`,
        now: () => server.clock.now(),
        ...(algorithms ? { algorithms } : {}),
      });
    await expect(verifier(['EdDSA', 'RS256']).verify(token)).resolves.toMatchObject({
      sub: user.userId,
    });
    await expect(verifier().verify(token)).rejects.toMatchObject({
      code: 'invalid_token',
      reason: 'alg_not_allowed',
    });
    // The server's own verifier takes the ring's algorithms.
    expect((await meWithToken(server, token)).status).toBe(200);
  });

  it('rotation makes a new key of each algorithm; the old ones stay published and keep verifying', async () => {
    const user = await tokenUser(server);
    const before = server.core.keys.signingKeys();
    const newKid = await server.core.keys.rotate();
    const after = server.core.keys.signingKeys();
    expect(after.map((k) => k.alg)).toEqual(['EdDSA', 'RS256']);
    expect(after[0]?.kid).toBe(newKid);
    for (const key of after) expect(before.map((k) => k.kid)).not.toContain(key.kid);

    const kids = (await publishedKeys()).map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([...before, ...after].map((k) => k.kid)));
    expect(kids).toHaveLength(4);

    expect((await meWithToken(server, user.accessToken)).status).toBe(200);
    const fresh = await logIn(server, user.email, user.password);
    expect(headerOf(fresh.accessToken)).toMatchObject({ alg: 'EdDSA', kid: newKid });
  });
});

describe('instances sharing a database', () => {
  it('an instance started with the setting adds the RSA key; one without it keeps signing with the same primary key and publishes the RSA key', async () => {
    const plain = await startTestServer();
    let withRsa: TestServer | undefined;
    try {
      expect(plain.core.keys.algorithms()).toEqual(['EdDSA']);
      const primaryKid = plain.core.keys.signer().kid;
      expect((await publishedKeys(plain)).map((k) => k.kty)).toEqual(['OKP']);

      withRsa = await startTestServer({ shareWith: plain, settings: RSA });
      expect(withRsa.core.keys.signingKeys().map((k) => k.kid)).toEqual([
        primaryKid,
        rsaKeyOf(withRsa).kid,
      ]);
      // The other instance re-reads the keys within its refresh interval.
      plain.clock.advance(60_000);
      const published = await publishedKeys(plain);
      expect(published.map((k) => k.kid).sort()).toEqual(
        [primaryKid, rsaKeyOf(withRsa).kid].sort(),
      );
      const user = await tokenUser(plain);
      expect(headerOf(user.accessToken).kid).toBe(primaryKid);
      expect((await meWithToken(withRsa, user.accessToken)).status).toBe(200);
    } finally {
      await withRsa?.stop();
      await plain.stop();
    }
  });

  it('two active RSA keys (two instances generated one at once) break nothing: both are published, the newest signs', async () => {
    const a = await startTestServer({ settings: RSA });
    try {
      const first = rsaKeyOf(a).kid;
      // What a second instance racing the first would have written.
      a.clock.advance(1000);
      const raced = await generateSigningKey('RS256', new Date(a.clock.now()));
      await insertSigningKey(a.core.store.db, {
        kid: raced.kid,
        alg: raced.alg,
        public_jwk: JSON.stringify(raced.publicJwk),
        private_jwk_sealed: seal(
          a.core.secretKey,
          JSON.stringify(raced.privateJwk),
          `signing-key:${raced.kid}`,
        ),
        created_at: a.clock.now(),
        retired_at: null,
      });
      await a.core.keys.reload();
      expect(a.core.keys.signingKeys().map((k) => k.alg)).toEqual(['EdDSA', 'RS256']);
      expect(rsaKeyOf(a).kid).toBe(raced.kid);
      const kids = (await publishedKeys(a)).map((k) => k.kid);
      expect(kids).toEqual(expect.arrayContaining([first, raced.kid]));
      const user = await tokenUser(a);
      expect((await meWithToken(a, user.accessToken)).status).toBe(200);

      // A rotation leaves one active key per algorithm again.
      await a.core.keys.rotate();
      expect(a.core.keys.signingKeys()).toHaveLength(2);
      expect(a.core.keys.signingKeys().map((k) => k.kid)).not.toContain(raced.kid);
    } finally {
      await a.stop();
    }
  });
});
