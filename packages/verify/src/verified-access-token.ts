import type { JWTPayload } from 'jose';
import { VerifyError } from './verify-error.js';

/**
 * A verified RFC 9068 access token, as the resource server sees its caller:
 * a user (Gatehouse's first-party tokens, and the OpenID Provider's tokens
 * issued for a user) or a machine (the provider's client credentials grant).
 */
export interface VerifiedAccessToken {
  /** The user id; for a machine token, the client id. */
  readonly sub: string;
  /** Gatehouse's session id; undefined only in a machine token, which has no session. */
  readonly sid: string | undefined;
  /** The OAuth client the token was issued to (`client_id`); undefined in first-party tokens. */
  readonly clientId: string | undefined;
  /**
   * A client credentials token: it carries `client_id` and its `sub` is that
   * client, not a user. It has no session and usually no roles.
   */
  readonly isMachine: boolean;
  readonly scope: readonly string[];
  readonly roles: readonly string[];
  readonly jti: string;
  /** Expiry, epoch seconds. */
  readonly exp: number;
  /** Issued at, epoch seconds. */
  readonly iat: number;
  /** The user's roles version when the roles were read (`rv`); undefined in tokens without it. */
  readonly rolesVersion: number | undefined;
  /** RFC 9068 §2.2.1: how the user authenticated (RFC 8176); empty in tokens without it. */
  readonly amr: readonly string[];
  /** The assurance level reached (`aal1`, `aal2`); undefined in tokens without it. */
  readonly acr: string | undefined;
  /** When the user authenticated, epoch seconds; undefined in tokens without it. */
  readonly authTime: number | undefined;
  /**
   * Set when the token belongs to a session limited to one task (Gatehouse's
   * `mfa_enrollment`: a user whose role needs a second factor, before they
   * enrolled one). The verifier refuses such tokens unless `acceptRestricted`.
   */
  readonly restriction: string | undefined;
  /** The whole verified claim set. */
  readonly claims: Readonly<JWTPayload>;
}

/** Narrows a claim set whose signature, iss, aud and times jose already checked. */
export function toVerifiedAccessToken(claims: JWTPayload): VerifiedAccessToken {
  const sub = requireString(claims, 'sub');
  const clientId = optionalString(claims, 'client_id');
  const isMachine = clientId !== undefined && sub === clientId;
  // A user's token always names its session: without it a revoked session could not be refused.
  const sid = isMachine ? optionalString(claims, 'sid') : requireString(claims, 'sid');
  return Object.freeze({
    sub,
    sid,
    clientId,
    isMachine,
    jti: requireString(claims, 'jti'),
    exp: requireNumber(claims, 'exp'),
    iat: requireNumber(claims, 'iat'),
    rolesVersion: optionalCount(claims, 'rv'),
    scope: Object.freeze(parseScope(claims.scope)),
    roles: Object.freeze(parseStrings(claims.roles, 'roles')),
    amr: Object.freeze(parseStrings(claims.amr, 'amr')),
    acr: optionalString(claims, 'acr'),
    authTime: optionalCount(claims, 'auth_time'),
    restriction: optionalString(claims, 'restriction'),
    claims: Object.freeze(claims),
  });
}

function requireString(claims: JWTPayload, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value === '') throw invalidClaim(name);
  return value;
}

function requireNumber(claims: JWTPayload, name: string): number {
  const value = claims[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidClaim(name);
  return value;
}

function optionalCount(claims: JWTPayload, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidClaim(name);
  }
  return value;
}

/** RFC 9068 / RFC 8693: `scope` is one space-delimited string. */
function parseScope(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'string') throw invalidClaim('scope');
  return value.split(' ').filter((item) => item !== '');
}

function parseStrings(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidClaim(name);
  }
  return [...value];
}

function optionalString(claims: JWTPayload, name: string): string | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalidClaim(name);
  return value;
}

const invalidClaim = (claim: string): VerifyError =>
  new VerifyError('invalid_token', `${claim}_invalid`, { claim });
