import { createVerifier } from '@gatehouse/verify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { buildJwks } from '../../../src/crypto/jwks.js';
import { signAccessToken } from '../../../src/crypto/sign-access-token.js';
import { generateSigningKey } from '../../../src/crypto/signing-keys.js';

const NOW = new Date('2027-01-15T10:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const CLAIMS = {
  iss: 'https://gatehouse.test',
  aud: 'api://orders',
  sub: 'user-1',
  sid: 'session-1',
  roles: ['member'],
  rolesVersion: 3,
  amr: ['pwd', 'otp'],
  acr: 'aal2',
  authTimeSeconds: Math.floor(NOW.getTime() / 1000) - 60,
  lifetimeSeconds: 600,
  now: NOW,
};

describe('signAccessToken', () => {
  it.each(['EdDSA', 'ES256'] as const)(
    '%s: header and claim set are exactly as specified',
    async (alg) => {
      const key = await generateSigningKey(alg, NOW);
      const token = await signAccessToken(key, CLAIMS);
      expect(decodeProtectedHeader(token)).toEqual({ alg, kid: key.kid, typ: 'at+jwt' });
      const claims = decodeJwt(token);
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
      expect(claims).toMatchObject({
        iss: CLAIMS.iss,
        aud: CLAIMS.aud,
        sub: 'user-1',
        sid: 'session-1',
        roles: ['member'],
        rv: 3,
        amr: ['pwd', 'otp'],
        acr: 'aal2',
        auth_time: NOW_SECONDS - 60,
        iat: NOW_SECONDS,
        nbf: NOW_SECONDS,
        exp: NOW_SECONDS + 600,
      });
      expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it('adds scope only when given', async () => {
    const key = await generateSigningKey('EdDSA', NOW);
    const claims = decodeJwt(await signAccessToken(key, { ...CLAIMS, scope: 'orders:read' }));
    expect(claims.scope).toBe('orders:read');
    expect(Object.keys(claims)).toHaveLength(14);
  });

  it('gives each token its own jti', async () => {
    const key = await generateSigningKey('EdDSA', NOW);
    const [a, b] = await Promise.all([signAccessToken(key, CLAIMS), signAccessToken(key, CLAIMS)]);
    expect(decodeJwt(a).jti).not.toBe(decodeJwt(b).jti);
  });

  it.each([0, -1, 3601, 1.5, Number.NaN])(
    'refuses lifetimeSeconds %s (TypeError)',
    async (lifetimeSeconds) => {
      const key = await generateSigningKey('EdDSA', NOW);
      await expect(signAccessToken(key, { ...CLAIMS, lifetimeSeconds })).rejects.toThrow(TypeError);
    },
  );

  it('accepts the 3600 s cap', async () => {
    const key = await generateSigningKey('EdDSA', NOW);
    const claims = decodeJwt(await signAccessToken(key, { ...CLAIMS, lifetimeSeconds: 3600 }));
    expect(claims.exp).toBe(NOW_SECONDS + 3600);
  });

  it.each(['EdDSA', 'ES256'] as const)(
    '%s: what it signs, the verifier accepts via the JWKS',
    async (alg) => {
      const key = await generateSigningKey(alg, NOW);
      const verifier = createVerifier({
        issuer: CLAIMS.iss,
        audience: CLAIMS.aud,
        jwks: buildJwks([key]),
        now: () => NOW.getTime(),
      });
      const verified = await verifier.verify(await signAccessToken(key, CLAIMS));
      expect(verified).toMatchObject({
        sub: 'user-1',
        sid: 'session-1',
        roles: ['member'],
        rolesVersion: 3,
        scope: [],
      });
    },
  );
});
