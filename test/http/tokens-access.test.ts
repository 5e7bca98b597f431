import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createVerifier } from '@gatehouse/verify';
import { base64url, exportJWK, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  claimsOf,
  headerOf,
  type LoginBody,
  meWithToken,
  REFRESH_COOKIE,
  tokenUser,
} from '../helpers/tokens.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
const nowSeconds = () => Math.floor(server.clock.now() / 1000);

describe('access tokens at login', () => {
  it('returns a Bearer token of 600 s whose header and claim set are exactly as specified', async () => {
    const user = await tokenUser(server);
    const body = user.login.body;
    expect(body.tokenType).toBe('Bearer');
    expect(body.expiresIn).toBe(600);
    expect(typeof body.accessToken).toBe('string');

    const header = headerOf(body.accessToken);
    expect(header).toEqual({ alg: 'EdDSA', kid: expect.any(String), typ: 'at+jwt' });
    expect(server.core.keys.jwks().keys.map((k) => k.kid)).toContain(header.kid);

    const claims = claimsOf(body.accessToken);
    expect(Object.keys(claims).sort()).toEqual(
      [
        'acr',
        'amr',
        'aud',
        'auth_time',
        'exp',
        'iat',
        'iss',
        'jti',
        'nbf',
        'roles',
        'rv',
        'sid',
        'sub',
      ].sort(),
    );
    // RFC 9068 §2.2.1: a password alone is one factor, authenticated when the token was minted.
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.acr).toBe('aal1');
    expect(claims.auth_time).toBe(claims.iat);
    expect(claims.iss).toBe(server.core.issuer);
    // A new user's roles version.
    expect(claims.rv).toBe(0);
    expect(claims.aud).toBe('gatehouse');
    expect(claims.sub).toBe(user.userId);
    expect(claims.roles).toEqual([]);
    expect(claims.exp).toBe((claims.iat ?? 0) + 600);
    expect(claims.nbf).toBe(claims.iat);
    expect(JSON.stringify(claims)).not.toContain(user.email);
  });

  it('authenticates GET /auth/me as a Bearer token, with no cookie', async () => {
    const user = await tokenUser(server, { roles: ['admin'] });
    const me = await meWithToken(server, user.accessToken);
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.userId);
    expect(me.body.user.via).toBe('access_token');
    expect(claimsOf(user.accessToken).roles).toEqual(['admin']);
  });

  it('sets the refresh cookie HttpOnly, Secure, SameSite=Strict, scoped to /auth/refresh', async () => {
    const user = await tokenUser(server);
    const line = user.login.headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE}=`));
    expect(line).toBeDefined();
    const attributes = (line ?? '').split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('secure');
    expect(attributes).toContain('samesite=strict');
    expect(attributes).toContain('path=/auth/refresh');
    expect(user.login.body.refreshToken).toBeUndefined();
  });

  it("with refreshTokenDelivery 'body' returns the refresh token in the body and sets no refresh cookie", async () => {
    const user = await tokenUser(server, { delivery: 'body' });
    expect(user.login.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(user.login.headers.getSetCookie().some((c) => c.startsWith(`${REFRESH_COOKIE}=`))).toBe(
      false,
    );
    expect(user.client.cookies.has(REFRESH_COOKIE)).toBe(false);
  });
});

describe('forged and tampered access tokens are refused with 401', () => {
  let genuine: string;
  let claims: JWTPayload;
  let kid: string;
  /** Signs with Gatehouse's own current key: only the named defect is wrong. */
  let signWithServerKey: (payload: JWTPayload, header?: Record<string, unknown>) => Promise<string>;
  let attackerPrivate: KeyObject;
  let attackerPublicJwk: JWK;

  beforeAll(async () => {
    const user = await tokenUser(server);
    genuine = user.accessToken;
    claims = claimsOf(genuine);
    kid = String(headerOf(genuine).kid);
    expect((await meWithToken(server, genuine)).status).toBe(200);

    const signer = server.core.keys.signer();
    const serverKey = await importJWK(signer.privateJwk, signer.alg);
    signWithServerKey = (payload, header = {}) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: 'at+jwt', ...header })
        .sign(serverKey);
    // A control: re-signing the genuine claims with the server key is accepted,
    // so each rejection below is down to its one defect.
    expect((await meWithToken(server, await signWithServerKey({ ...claims }))).status).toBe(200);

    const pair = generateKeyPairSync('ed25519');
    attackerPrivate = pair.privateKey;
    attackerPublicJwk = await exportJWK(pair.publicKey);
  });

  const refused = async (token: string) => {
    const response = await meWithToken(server, token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/Bearer/);
  };

  it('alg none', async () => {
    await refused(`${encode({ alg: 'none', typ: 'at+jwt', kid })}.${encode(claims)}.`);
    await refused(`${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`);
  });

  it('HS256 signed with the public key (algorithm confusion)', async () => {
    const jwks = await new Client(server.url).get<{ keys: JWK[] }>('/.well-known/jwks.json');
    const jwk = jwks.body.keys.find((k) => k.kid === kid) as JWK;
    const spki = createPublicKey({ key: jwk as never, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    const secrets = [
      base64url.decode(String(jwk.x)),
      new TextEncoder().encode(JSON.stringify(jwk)),
      new TextEncoder().encode(String(spki)),
    ];
    for (const secret of secrets) {
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' })
        .sign(secret);
      await refused(token);
    }
  });

  it('a changed header byte', async () => {
    const [header = '', payload, signature] = genuine.split('.');
    const decoded = JSON.parse(new TextDecoder().decode(base64url.decode(header)));
    const respaced = base64url.encode(JSON.stringify(decoded, null, 1));
    expect(respaced).not.toBe(header);
    await refused(`${respaced}.${payload}.${signature}`);
  });

  it('a changed payload byte (roles → admin)', async () => {
    const [header, , signature] = genuine.split('.');
    await refused(`${header}.${encode({ ...claims, roles: ['admin'] })}.${signature}`);
  });

  it('a changed signature byte', async () => {
    const [header, payload, signature = ''] = genuine.split('.');
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    await refused(`${header}.${payload}.${flipped}`);
  });

  it('wrong or missing iss', async () => {
    await refused(await signWithServerKey({ ...claims, iss: 'https://evil.example' }));
    const { iss: _iss, ...withoutIss } = claims;
    await refused(await signWithServerKey(withoutIss));
  });

  it('wrong or missing aud', async () => {
    await refused(await signWithServerKey({ ...claims, aud: 'another-service' }));
    const { aud: _aud, ...withoutAud } = claims;
    await refused(await signWithServerKey(withoutAud));
  });

  it('nbf in the future beyond the allowed skew', async () => {
    await refused(await signWithServerKey({ ...claims, nbf: nowSeconds() + 60 }));
  });

  it('an unknown kid', async () => {
    await refused(await signWithServerKey({ ...claims }, { kid: 'no-such-key' }));
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'attacker-key', typ: 'at+jwt' })
      .sign(attackerPrivate);
    await refused(forged);
  });

  for (const name of ['jku', 'x5u', 'jwk'] as const) {
    it(`a ${name} header`, async () => {
      const value = name === 'jwk' ? attackerPublicJwk : 'https://evil.example/jwks.json';
      // The attack: the token names (or carries) the attacker's own key.
      const forged = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', [name]: value })
        .sign(attackerPrivate);
      await refused(forged);
      // Refused outright, even when the signature is genuine.
      await refused(await signWithServerKey({ ...claims }, { [name]: value }));
    });
  }

  it('no sid: a user-shaped token, and a machine token (client credentials: sub = client_id) — our routes authenticate users', async () => {
    const { sid: _sid, ...withoutSid } = claims;
    await refused(await signWithServerKey(withoutSid));
    // A client whose id is a user's id (the worst case) still does not pass for that user.
    const clientId = String(claims.sub);
    const machine = { ...withoutSid, sub: clientId, client_id: clientId, scope: 'orders:read' };
    await refused(await signWithServerKey(machine));
    // Even one that names a session is a machine's, not a user's.
    await refused(await signWithServerKey({ ...machine, sid: claims.sid }));
    // gatehouse/verify accepts that machine token: it is the server's own routes that refuse it.
    const verifier = createVerifier({
      issuer: server.core.issuer,
      audience: 'gatehouse',
      jwksUrl: `${server.url}/.well-known/jwks.json`,
      now: () => server.clock.now(),
    });
    await expect(verifier.verify(await signWithServerKey(machine))).resolves.toMatchObject({
      isMachine: true,
      clientId,
    });
  });

  it('typ JWT instead of at+jwt, or no typ', async () => {
    await refused(await signWithServerKey({ ...claims }, { typ: 'JWT' }));
    await refused(await signWithServerKey({ ...claims }, { typ: undefined }));
  });

  it('a lifetime (exp − iat) beyond the configured one, e.g. exp = 10^12, on the server and in gatehouse/verify', async () => {
    const farFuture = await signWithServerKey({ ...claims, exp: 10 ** 12 });
    await refused(farFuture);
    // Just over the configured 600 s (plus the 5 s skew) is refused too; exactly 600 s is the genuine case.
    await refused(await signWithServerKey({ ...claims, exp: Number(claims.iat) + 606 }));
    const verifier = createVerifier({
      issuer: server.core.issuer,
      audience: 'gatehouse',
      jwksUrl: `${server.url}/.well-known/jwks.json`,
      now: () => server.clock.now(),
    });
    expect((await verifier.verify(genuine)).sub).toBe(claims.sub);
    await expect(verifier.verify(farFuture)).rejects.toMatchObject({
      code: 'invalid_token',
      claim: 'exp',
    });
    const strict = createVerifier({
      issuer: server.core.issuer,
      audience: 'gatehouse',
      jwksUrl: `${server.url}/.well-known/jwks.json`,
      now: () => server.clock.now(),
      maxTokenAgeSeconds: 300,
    });
    await expect(strict.verify(genuine)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('exp in the past (11 minutes later)', async () => {
    const user = await tokenUser(server);
    expect((await meWithToken(server, user.accessToken)).status).toBe(200);
    server.clock.advance(11 * 60_000);
    await refused(user.accessToken);
    await refused(await signWithServerKey({ ...claims, exp: nowSeconds() - 60 }));
  });
});

describe('the login body', () => {
  it('has no refresh token unless asked for one', async () => {
    const user = await tokenUser(server);
    const body: LoginBody = user.login.body;
    expect(Object.keys(body).sort()).toEqual(
      ['accessToken', 'csrfToken', 'expiresIn', 'tokenType', 'user'].sort(),
    );
  });
});
