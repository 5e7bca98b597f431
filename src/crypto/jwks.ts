import type { JWK } from 'jose';

interface KeyLabels {
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
}

/** An EC (P-256) or OKP (Ed25519) public key as published. */
export interface CurvePublicJwk extends KeyLabels {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y?: string;
}

/** An RSA public key as published: modulus and exponent. */
export interface RsaPublicJwk extends KeyLabels {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
}

/** One key as published: public members only. */
export type PublicJwk = CurvePublicJwk | RsaPublicJwk;

export interface PublishableKey {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: JWK;
}

/**
 * Builds the public JWKS. Members are copied by allow-list, so a private
 * JWK passed by mistake still publishes no `d` (nor RSA's p, q, dp, dq, qi).
 */
export function buildJwks(keys: readonly PublishableKey[]): { keys: PublicJwk[] } {
  return { keys: keys.map(toPublicJwk) };
}

function toPublicJwk({ kid, alg, publicJwk }: PublishableKey): PublicJwk {
  const labels = { kid, alg, use: 'sig' } as const;
  if (publicJwk.kty === 'RSA') {
    const { n, e } = publicJwk;
    if (n === undefined || e === undefined) throw new TypeError(`key ${kid} has no RSA n and e`);
    return { kty: 'RSA', n, e, ...labels };
  }
  const { kty, crv, x, y } = publicJwk;
  if (kty === undefined || crv === undefined || x === undefined) {
    throw new TypeError(`key ${kid} is not an EC, OKP or RSA public key`);
  }
  return y === undefined ? { kty, crv, x, ...labels } : { kty, crv, x, y, ...labels };
}
