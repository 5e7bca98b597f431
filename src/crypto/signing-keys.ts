import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export type SigningAlgorithm = 'EdDSA' | 'ES256' | 'RS256';

/** A freshly generated signing key pair, both halves as JWKs. */
export interface SigningKey {
  /** RFC 7638 thumbprint (SHA-256) of the public key. */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly publicJwk: JWK;
  /** Secret: store it only sealed (see secret-box.ts). */
  readonly privateJwk: JWK;
  readonly createdAt: Date;
}

/** RS256 is for relying parties that accept nothing else: 2048 bits, the RFC 7518 minimum. */
const KEY_OPTIONS: Record<SigningAlgorithm, { crv?: string; modulusLength?: number }> = {
  EdDSA: { crv: 'Ed25519' },
  ES256: { crv: 'P-256' },
  RS256: { modulusLength: 2048 },
};

export async function generateSigningKey(alg: SigningAlgorithm, now: Date): Promise<SigningKey> {
  const keyOptions = Object.hasOwn(KEY_OPTIONS, alg) ? KEY_OPTIONS[alg] : undefined;
  if (keyOptions === undefined)
    throw new TypeError(`unsupported signing algorithm: ${String(alg)}`);
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    ...keyOptions,
    extractable: true,
  });
  const publicParts = await exportJWK(publicKey);
  const kid = await keyIdOf(publicParts);
  const labels = { kid, alg, use: 'sig' } as const;
  return {
    kid,
    alg,
    publicJwk: { ...publicParts, ...labels },
    privateJwk: { ...(await exportJWK(privateKey)), ...labels },
    createdAt: new Date(now.getTime()),
  };
}

/** The kid of a public key: its RFC 7638 SHA-256 thumbprint, base64url. */
export const keyIdOf = (publicJwk: JWK): Promise<string> =>
  calculateJwkThumbprint(publicJwk, 'sha256');
