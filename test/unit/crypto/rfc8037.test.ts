import { CompactSign, compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { keyIdOf } from '../../../src/crypto/signing-keys.js';

/** RFC 8037 Appendix A: the Ed25519 key, its thumbprint and a JWS over a fixed payload. */
const PRIVATE_JWK = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
};
const PUBLIC_JWK = { kty: 'OKP', crv: 'Ed25519', x: PRIVATE_JWK.x };
const A3_THUMBPRINT = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';
const A4_PAYLOAD = 'Example of Ed25519 signing';
const A4_JWS =
  'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.' +
  'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg';

describe('RFC 8037 test vectors (Ed25519)', () => {
  it('A.3: the kid is the RFC 7638 thumbprint', async () => {
    expect(await keyIdOf(PUBLIC_JWK)).toBe(A3_THUMBPRINT);
  });

  it('A.4: signing reproduces the JWS byte for byte (Ed25519 is deterministic)', async () => {
    const key = await importJWK(PRIVATE_JWK, 'EdDSA');
    const jws = await new CompactSign(new TextEncoder().encode(A4_PAYLOAD))
      .setProtectedHeader({ alg: 'EdDSA' })
      .sign(key);
    expect(jws).toBe(A4_JWS);
  });

  it('A.5: the JWS verifies with the public key, and not once altered', async () => {
    const key = await importJWK(PUBLIC_JWK, 'EdDSA');
    const { payload } = await compactVerify(A4_JWS, key);
    expect(new TextDecoder().decode(payload)).toBe(A4_PAYLOAD);
    const altered = A4_JWS.replace('RXhhbXBsZSBvZiBFZDI1NTE5', 'RXhhbXBsZSBvZiBFZDI1NTE4');
    await expect(compactVerify(altered, key)).rejects.toThrow();
  });
});
