import { describe, expect, it } from 'vitest';
import { buildJwks } from '../../../src/crypto/jwks.js';
import { generateSigningKey } from '../../../src/crypto/signing-keys.js';

const NOW = new Date('2027-01-15T10:00:00Z');

describe('buildJwks', () => {
  it('publishes public members only, for current and previous keys', async () => {
    const current = await generateSigningKey('EdDSA', NOW);
    const previous = await generateSigningKey('ES256', NOW);
    const jwks = buildJwks([current, previous]);
    expect(jwks.keys).toEqual([
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x: current.publicJwk.x,
        kid: current.kid,
        alg: 'EdDSA',
        use: 'sig',
      },
      {
        kty: 'EC',
        crv: 'P-256',
        x: previous.publicJwk.x,
        y: previous.publicJwk.y,
        kid: previous.kid,
        alg: 'ES256',
        use: 'sig',
      },
    ]);
  });

  it('never leaks d, even when handed a private JWK by mistake', async () => {
    const key = await generateSigningKey('ES256', NOW);
    const jwks = buildJwks([{ kid: key.kid, alg: key.alg, publicJwk: key.privateJwk }]);
    for (const published of jwks.keys) expect(published).not.toHaveProperty('d');
    expect(JSON.stringify(jwks)).not.toContain(String(key.privateJwk.d));
  });

  it('publishes an RSA key as n and e only, even when handed its private JWK by mistake', async () => {
    const key = await generateSigningKey('RS256', NOW);
    const jwks = buildJwks([{ kid: key.kid, alg: key.alg, publicJwk: key.privateJwk }]);
    expect(jwks.keys).toEqual([
      {
        kty: 'RSA',
        n: key.publicJwk.n,
        e: key.publicJwk.e,
        kid: key.kid,
        alg: 'RS256',
        use: 'sig',
      },
    ]);
    const text = JSON.stringify(jwks);
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
      expect(typeof key.privateJwk[secret]).toBe('string');
      expect(text).not.toContain(String(key.privateJwk[secret]));
    }
  });

  it('refuses a key that is not EC, OKP or RSA, and an RSA key without n and e', () => {
    expect(() =>
      buildJwks([{ kid: 'k', alg: 'HS256', publicJwk: { kty: 'oct', k: 'AAAA' } }]),
    ).toThrow(TypeError);
    expect(() =>
      buildJwks([{ kid: 'k', alg: 'RS256', publicJwk: { kty: 'RSA', e: 'AQAB' } }]),
    ).toThrow(TypeError);
  });
});
