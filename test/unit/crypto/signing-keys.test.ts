import { describe, expect, it } from 'vitest';
import { generateSigningKey, keyIdOf } from '../../../src/crypto/signing-keys.js';

const NOW = new Date('2027-01-15T10:00:00Z');

describe('generateSigningKey', () => {
  it.each([
    ['EdDSA', 'OKP', 'Ed25519'],
    ['ES256', 'EC', 'P-256'],
  ] as const)('%s: a %s %s pair with a thumbprint kid', async (alg, kty, crv) => {
    const key = await generateSigningKey(alg, NOW);
    expect(key.alg).toBe(alg);
    expect(key.createdAt).toEqual(NOW);
    expect(key.publicJwk).toMatchObject({ kty, crv, kid: key.kid, alg, use: 'sig' });
    expect(key.publicJwk).not.toHaveProperty('d');
    expect(key.privateJwk).toMatchObject({ kty, crv, kid: key.kid });
    expect(typeof key.privateJwk.d).toBe('string');
    expect(key.kid).toBe(await keyIdOf(key.publicJwk));
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('RS256: a 2048-bit RSA pair with a thumbprint kid', async () => {
    const key = await generateSigningKey('RS256', NOW);
    expect(key.publicJwk).toMatchObject({ kty: 'RSA', e: 'AQAB', kid: key.kid, alg: 'RS256' });
    // 2048 bits of modulus: 256 bytes, 342 base64url characters.
    expect(Buffer.from(String(key.publicJwk.n), 'base64url')).toHaveLength(256);
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
      expect(key.publicJwk).not.toHaveProperty(secret);
      expect(typeof key.privateJwk[secret as keyof typeof key.privateJwk]).toBe('string');
    }
    expect(key.kid).toBe(await keyIdOf(key.publicJwk));
  });

  it('generates a new key each time', async () => {
    const [a, b] = await Promise.all([
      generateSigningKey('EdDSA', NOW),
      generateSigningKey('EdDSA', NOW),
    ]);
    expect(a.kid).not.toBe(b.kid);
  });

  it('refuses an algorithm it does not support', async () => {
    await expect(generateSigningKey('HS256' as 'EdDSA', NOW)).rejects.toThrow(TypeError);
  });
});
