import { generateKeyPairSync } from 'node:crypto';
import { createVerifier, isVerifyError } from '@gatehouse/verify';
import { type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, headerOf, logIn, meWithToken, tokenUser } from '../helpers/tokens.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const jwks = async () => {
  const response = await new Client(server.url).get<{ keys: Array<JWK & { kid: string }> }>(
    '/.well-known/jwks.json',
  );
  expect(response.status).toBe(200);
  return response;
};

/** The resource-server verifier, pointed at the running Gatehouse over HTTP. */
const remoteVerifier = () =>
  createVerifier({
    issuer: server.core.issuer,
    audience: 'gatehouse',
    jwksUrl: `${server.url}/.well-known/jwks.json`,
    jwksCooldownSeconds: 0,
    now: () => server.clock.now(),
  });

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    expect(isVerifyError(error)).toBe(true);
    return error as { code: string };
  }
  throw new Error('expected the token to be rejected');
};

const forge = (claims: Record<string, unknown>, kid: string) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .sign(generateKeyPairSync('ed25519').privateKey);

describe('GET /.well-known/jwks.json', () => {
  it('serves public keys only, with cache headers', async () => {
    const response = await jwks();
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(response.body.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of response.body.keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(typeof key.x).toBe('string');
      expect(typeof key.kid).toBe('string');
      expect(key).not.toHaveProperty('d');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        expect(key).not.toHaveProperty(secret);
    }
  });
});

describe('key rotation and the resource-server verifier', () => {
  it('verifies a login’s access token against the remote JWKS', async () => {
    const user = await tokenUser(server, { roles: ['admin'] });
    const verified = await remoteVerifier().verify(user.accessToken);
    expect(verified.sub).toBe(user.userId);
    expect(verified.sid).toBe(claimsOf(user.accessToken).sid);
    expect(verified.roles).toEqual(['admin']);
  });

  it('after a rotation: old tokens still verify, new ones carry the new kid, both kids are published', async () => {
    const user = await tokenUser(server);
    const oldKid = String(headerOf(user.accessToken).kid);
    const verifier = remoteVerifier();
    await verifier.verify(user.accessToken);

    const newKid = await server.core.keys.rotate();
    expect(newKid).not.toBe(oldKid);

    // Gatehouse itself still accepts the token signed by the retired key.
    expect((await meWithToken(server, user.accessToken)).status).toBe(200);
    const fresh = await logIn(server, user.email, user.password);
    expect(headerOf(fresh.accessToken).kid).toBe(newKid);
    expect((await meWithToken(server, fresh.accessToken)).status).toBe(200);

    const kids = (await jwks()).body.keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, newKid]));

    // The resource server: the old token keeps verifying, the new kid is fetched on sight.
    await expect(verifier.verify(user.accessToken)).resolves.toMatchObject({ sub: user.userId });
    await expect(verifier.verify(fresh.accessToken)).resolves.toMatchObject({
      sub: user.userId,
    });
    // A verifier that only now starts sees both keys too.
    await expect(remoteVerifier().verify(user.accessToken)).resolves.toBeDefined();

    // ...and only a forged token is rejected, under either kid.
    const claims = claimsOf(fresh.accessToken);
    await rejection(verifier.verify(await forge({ ...claims }, newKid)));
    await rejection(verifier.verify(await forge({ ...claims }, oldKid)));
    await rejection(verifier.verify(await forge({ ...claims }, 'unknown-kid')));
    const [h, p, sig = ''] = fresh.accessToken.split('.');
    const tampered = `${h}.${p}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    await rejection(verifier.verify(tampered));
  });

  it('the retired key stops being published once its tokens have all expired', async () => {
    const user = await tokenUser(server);
    const oldKid = String(headerOf(user.accessToken).kid);
    const newKid = await server.core.keys.rotate();
    expect((await jwks()).body.keys.map((k) => k.kid)).toContain(oldKid);
    // Lifetime (600 s), skew and the instances' key refresh interval later, the
    // old key has nothing left to verify.
    server.clock.advance(12 * 60_000);
    const kids = (await jwks()).body.keys.map((k) => k.kid);
    expect(kids).toContain(newKid);
    expect(kids).not.toContain(oldKid);
    expect((await meWithToken(server, user.accessToken)).status).toBe(401);
  });
});

describe('key rotation across instances sharing a database', () => {
  it('a rotation on one instance reaches the others: they sign with the new key and publish it', async () => {
    const a = await startTestServer();
    const b = await startTestServer({ shareWith: a });
    let c: TestServer | undefined;
    try {
      const user = await tokenUser(a);
      expect((await meWithToken(b, user.accessToken)).status).toBe(200);
      const newKid = await a.core.keys.rotate();

      // Within a short while (test clock), B signs with the new key and publishes it.
      a.clock.advance(60_000);
      const onB = await logIn(b, user.email, user.password);
      expect(headerOf(onB.accessToken).kid).toBe(newKid);
      const published = await new Client(b.url).get<{ keys: JWK[] }>('/.well-known/jwks.json');
      expect(published.body.keys.map((k) => k.kid)).toContain(newKid);

      // Once the old key has nothing left to verify, an instance started now
      // drops it, and still accepts every token the others issue.
      a.clock.advance(11 * 60_000);
      c = await startTestServer({ shareWith: a });
      const late = await logIn(b, user.email, user.password);
      expect(headerOf(late.accessToken).kid).toBe(newKid);
      expect((await meWithToken(c, late.accessToken)).status).toBe(200);
    } finally {
      await c?.stop();
      await b.stop();
      await a.stop();
    }
  });
});

describe('scheduled key rotation', () => {
  it('an instance starting after the rotation period signs with a new key; the old one keeps verifying', async () => {
    const a = await startTestServer({ settings: { tokens: { keyRotationSeconds: 3600 } } });
    let b: TestServer | undefined;
    try {
      const user = await tokenUser(a);
      const oldKid = headerOf(user.accessToken).kid;
      a.clock.advance(3600 * 1000 + 1000);
      // Still signed with the old key: A only rotates on its schedule.
      const beforeRotation = await logIn(a, user.email, user.password);
      expect(headerOf(beforeRotation.accessToken).kid).toBe(oldKid);
      b = await startTestServer({
        shareWith: a,
        settings: { tokens: { keyRotationSeconds: 3600 } },
      });
      const fresh = await logIn(b, user.email, user.password);
      expect(headerOf(fresh.accessToken).kid).not.toBe(oldKid);
      expect((await meWithToken(b, beforeRotation.accessToken)).status).toBe(200);
      const kids = (
        await new Client(b.url).get<{ keys: JWK[] }>('/.well-known/jwks.json')
      ).body.keys.map((k) => k.kid);
      expect(kids).toEqual(expect.arrayContaining([oldKid, headerOf(fresh.accessToken).kid]));
    } finally {
      await b?.stop();
      await a.stop();
    }
  });
});
