import { createVerifier, type Verifier, VerifyError } from '@gatehouse/verify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  claims,
  encodeJson,
  ISSUER,
  type JwksServer,
  makeKey,
  mint,
  NOW_MILLISECONDS,
  NOW_SECONDS,
  startJwksServer,
  type TestKey,
  tamper,
} from './helpers.js';

async function rejection(promise: Promise<unknown>): Promise<VerifyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VerifyError);
  return error as VerifyError;
}

for (const alg of ['EdDSA', 'ES256'] as const) {
  describe(`createVerifier rejects (${alg})`, () => {
    let key: TestKey;
    let server: JwksServer;
    let verifier: Verifier;
    const expectInvalid = async (token: string, reason: string) => {
      const error = await rejection(verifier.verify(token));
      expect(error.code).toBe('invalid_token');
      expect(error.reason).toBe(reason);
    };

    beforeAll(async () => {
      key = await makeKey(alg);
      server = await startJwksServer([key.publicJwk]);
      verifier = createVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUrl: server.url,
        now: () => NOW_MILLISECONDS,
        cache: { maxEntries: 0 },
      });
    });
    afterAll(() => server.close());

    it('accepts a well-formed token and returns the typed principal', async () => {
      const token = await mint(key, { scope: 'orders:read orders:write', roles: ['admin'] });
      const verified = await verifier.verify(token);
      expect(verified).toMatchObject({
        sub: 'user-1',
        sid: 'session-1',
        scope: ['orders:read', 'orders:write'],
        roles: ['admin'],
        iat: NOW_SECONDS,
        exp: NOW_SECONDS + 600,
      });
      expect(verified.claims.iss).toBe(ISSUER);
    });

    it('rejects alg none', async () => {
      const header = encodeJson({ alg: 'none', typ: 'at+jwt', kid: key.kid });
      await expectInvalid(`${header}.${encodeJson(claims())}.`, 'alg_not_allowed');
    });

    it('rejects HS256 signed with the public key bytes', async () => {
      const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'at+jwt' })
        .sign(secret);
      await expectInvalid(token, 'alg_not_allowed');
    });

    it('rejects a changed header byte', async () => {
      const token = tamper(await mint(key), 0, (header) => ({ ...header, cty: 'x' }));
      await expectInvalid(token, 'bad_signature');
    });

    it('rejects a changed payload byte', async () => {
      const token = tamper(await mint(key), 1, (payload) => ({ ...payload, sub: 'admin' }));
      await expectInvalid(token, 'bad_signature');
    });

    it('rejects a truncated signature', async () => {
      const token = await mint(key);
      await expectInvalid(token.slice(0, -4), 'bad_signature');
    });

    it.each(['iss', 'aud', 'exp', 'iat', 'sub', 'jti', 'sid'])(
      'rejects a missing %s',
      async (name) => {
        const error = await rejection(verifier.verify(await mint(key, { [name]: undefined })));
        expect(error.code).toBe('invalid_token');
        expect(error.claim).toBe(name);
      },
    );

    it('rejects a wrong iss', async () => {
      await expectInvalid(await mint(key, { iss: 'https://evil.test' }), 'iss_check_failed');
    });

    it('rejects a wrong aud', async () => {
      await expectInvalid(await mint(key, { aud: 'api://other' }), 'aud_check_failed');
    });

    it('rejects exp in the past', async () => {
      const token = await mint(key, {
        iat: NOW_SECONDS - 700,
        nbf: NOW_SECONDS - 700,
        exp: NOW_SECONDS - 6,
      });
      const error = await rejection(verifier.verify(token));
      expect(error.code).toBe('token_expired');
    });

    it('accepts exp just passed but within the clock skew', async () => {
      const token = await mint(key, { iat: NOW_SECONDS - 700, exp: NOW_SECONDS - 3 });
      await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
    });

    it('rejects nbf in the future beyond the skew, accepts it within', async () => {
      await expectInvalid(await mint(key, { nbf: NOW_SECONDS + 6 }), 'nbf_check_failed');
      await expect(
        verifier.verify(await mint(key, { nbf: NOW_SECONDS + 4 })),
      ).resolves.toBeDefined();
    });

    it('rejects iat in the future beyond the skew', async () => {
      await expectInvalid(await mint(key, { iat: NOW_SECONDS + 60 }), 'iat_in_future');
    });

    it('rejects an unknown kid', async () => {
      const stranger = await makeKey(alg);
      await expectInvalid(await mint(stranger), 'unknown_key');
    });

    it.each(['jku', 'x5u', 'jwk', 'x5c'])('rejects a %s header', async (name) => {
      const value =
        name === 'jwk' ? key.publicJwk : name === 'x5c' ? ['MIIB'] : 'https://evil.test/k';
      const error = await rejection(verifier.verify(await mint(key, {}, { [name]: value })));
      expect(error).toMatchObject({
        code: 'invalid_token',
        reason: 'forbidden_header',
        claim: name,
      });
    });

    it('rejects typ JWT instead of at+jwt, and a missing typ', async () => {
      await expectInvalid(await mint(key, {}, { typ: 'JWT' }), 'typ_check_failed');
      await expectInvalid(await mint(key, {}, { typ: undefined }), 'typ_check_failed');
    });

    it('rejects malformed input without echoing it', async () => {
      for (const input of ['', 'abc', 'a.b.c', 'secret-token-value.x.y']) {
        const error = await rejection(verifier.verify(input));
        expect(error.code).toBe('invalid_token');
        expect(error.message).not.toContain('secret-token-value');
      }
    });

    it('rejects wrongly typed claims', async () => {
      const error = await rejection(verifier.verify(await mint(key, { roles: 'admin' })));
      expect(error).toMatchObject({ code: 'invalid_token', claim: 'roles' });
    });

    it.each([-1, 1.5, '2'])('rejects a roles version (rv) that is not a count: %s', async (rv) => {
      const error = await rejection(verifier.verify(await mint(key, { rv })));
      expect(error).toMatchObject({ code: 'invalid_token', claim: 'rv' });
    });

    it('rejects a restricted session token unless the issuer accepts them', async () => {
      const token = await mint(key, { restriction: 'mfa_enrollment', roles: ['admin'] });
      await expectInvalid(token, 'restricted_session');
      await expectInvalid(await mint(key, { restriction: 'anything' }), 'restricted_session');
      const issuer = createVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUrl: server.url,
        now: () => NOW_MILLISECONDS,
        acceptRestricted: true,
      });
      expect((await issuer.verify(token)).restriction).toBe('mfa_enrollment');
      expect((await verifier.verify(await mint(key))).restriction).toBeUndefined();
      const typed = await rejection(verifier.verify(await mint(key, { restriction: 7 })));
      expect(typed).toMatchObject({ code: 'invalid_token', claim: 'restriction' });
    });
  });
}
