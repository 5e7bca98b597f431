import { randomUUID } from 'node:crypto';
import { importJWK, type JWK, SignJWT } from 'jose';
import type { SigningAlgorithm } from './signing-keys.js';

export interface AccessTokenSigner {
  readonly privateJwk: JWK;
  readonly kid: string;
  readonly alg: SigningAlgorithm;
}

export interface AccessTokenClaims {
  readonly iss: string;
  readonly aud: string;
  /** User id. */
  readonly sub: string;
  /** Session id: revoking the session revokes the token. */
  readonly sid: string;
  readonly roles: readonly string[];
  /** The user's roles version the roles were read at: a role change cuts off exactly the older ones. */
  readonly rolesVersion: number;
  /** RFC 9068 §2.2.1: how and when the user authenticated (`auth_time` in epoch seconds). */
  readonly amr: readonly string[];
  readonly acr: string;
  readonly authTimeSeconds: number;
  /** Space-delimited, RFC 9068; omitted when absent. */
  readonly scope?: string;
  /** A session limited to enrolling a second factor: `mfa_enrollment`; omitted for a full session. */
  readonly restriction?: string;
  readonly lifetimeSeconds: number;
  readonly now: Date;
}

export const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

/**
 * Signs an RFC 9068 access token. The claim set is exactly iss, sub, aud,
 * exp, iat, nbf, jti, sid, roles, rv, amr, acr, auth_time (+ scope,
 * restriction): nothing
 * personal, nothing secret.
 * `rv` (private) is the roles version; `iat` alone has one-second resolution,
 * too coarse to tell a token minted just before a role change from one just after.
 */
export async function signAccessToken(
  signer: AccessTokenSigner,
  claims: AccessTokenClaims,
): Promise<string> {
  checkLifetime(claims.lifetimeSeconds);
  const iat = Math.floor(claims.now.getTime() / 1000);
  const payload: Record<string, unknown> = {
    sid: claims.sid,
    roles: [...claims.roles],
    rv: claims.rolesVersion,
    amr: [...claims.amr],
    acr: claims.acr,
    auth_time: claims.authTimeSeconds,
  };
  if (claims.scope !== undefined) payload.scope = claims.scope;
  if (claims.restriction !== undefined) payload.restriction = claims.restriction;
  const key = await importJWK(signer.privateJwk, signer.alg);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt' })
    .setIssuer(claims.iss)
    .setSubject(claims.sub)
    .setAudience(claims.aud)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + claims.lifetimeSeconds)
    .setJti(randomUUID())
    .sign(key);
}

function checkLifetime(lifetimeSeconds: number): void {
  if (
    !Number.isInteger(lifetimeSeconds) ||
    lifetimeSeconds <= 0 ||
    lifetimeSeconds > MAX_ACCESS_TOKEN_LIFETIME_SECONDS
  ) {
    throw new TypeError(
      `lifetimeSeconds must be an integer in 1..${MAX_ACCESS_TOKEN_LIFETIME_SECONDS}`,
    );
  }
}
