import type { JWK } from 'jose';

/** One key as published: public members only. */
export interface PublicJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y?: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
}

export interface PublishableKey {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: JWK;
}

/**
 * Builds the public JWKS. Members are copied by allow-list, so a private
 * JWK passed by mistake still publishes no `d`.
 */
export function buildJwks(keys: readonly PublishableKey[]): { keys: PublicJwk[] } {
  return { keys: keys.map(toPublicJwk) };
}

function toPublicJwk({ kid, alg, publicJwk }: PublishableKey): PublicJwk {
  const { kty, crv, x, y } = publicJwk;
  if (kty === undefined || crv === undefined || x === undefined) {
    throw new TypeError(`key ${kid} is not an EC or OKP public key`);
  }
  return y === undefined
    ? { kty, crv, x, kid, alg, use: 'sig' }
    : { kty, crv, x, y, kid, alg, use: 'sig' };
}
