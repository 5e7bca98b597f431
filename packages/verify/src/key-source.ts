import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { VerifyError } from './verify-error.js';

/** Where verification keys come from: a remote JWKS URL, a local JWKS, or a key getter. */
export type KeySource =
  | {
      readonly jwksUrl: string | URL;
      /** Minimum time between refetches triggered by an unknown `kid`. Default 30. */
      readonly jwksCooldownSeconds?: number;
      /** Refetch the JWKS at least this often. Default 600. */
      readonly jwksMaxAgeSeconds?: number;
    }
  | { readonly jwks: JSONWebKeySet | JWTVerifyGetKey };

/**
 * Header parameters that name or carry a key. Trusting any of them lets the
 * token choose its own key, so a token that has one is refused outright.
 */
const KEY_BEARING_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

export function createKeyGetter(source: KeySource): JWTVerifyGetKey {
  const inner = resolveInner(source);
  return (protectedHeader, token) => {
    for (const name of KEY_BEARING_HEADERS) {
      if (name in protectedHeader) {
        throw new VerifyError('invalid_token', 'forbidden_header', { claim: name });
      }
    }
    return inner(protectedHeader, token);
  };
}

function resolveInner(source: KeySource): JWTVerifyGetKey {
  if ('jwksUrl' in source) {
    return createRemoteJWKSet(new URL(source.jwksUrl), {
      cooldownDuration: (source.jwksCooldownSeconds ?? 30) * 1000,
      cacheMaxAge: (source.jwksMaxAgeSeconds ?? 600) * 1000,
    });
  }
  return typeof source.jwks === 'function' ? source.jwks : createLocalJWKSet(source.jwks);
}
