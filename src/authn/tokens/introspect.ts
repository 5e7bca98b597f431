import { isVerifyError, type VerifiedAccessToken } from '@gatehouse/verify';
import type { Core } from '../../core.js';
import { findLiveSessionById } from '../../store/repositories/sessions.js';
import { findUserById } from '../../store/repositories/users.js';

/** RFC 7662 §2.2. An inactive token says nothing more: not why, nor whose it was. */
export type Introspection =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly token_type: 'access_token';
      readonly iss: string;
      readonly sub: string;
      readonly aud: string | string[];
      readonly exp: number;
      readonly iat: number;
      readonly jti: string;
      readonly roles: readonly string[];
      readonly sid?: string;
      readonly scope?: string;
      readonly client_id?: string;
    };

const INACTIVE: Introspection = Object.freeze({ active: false });

/**
 * Answers for Gatehouse's own access tokens: the signature, claims and the
 * revocation set as a resource server would check them, and then the record
 * itself, since a call per token can afford it: the session must still be
 * live (not revoked, idle or past its absolute expiry) and the user not banned.
 * Refresh tokens and API keys are never introspected (inactive): they are
 * only ever sent to Gatehouse, so a resource server has no business with them,
 * and answering would let a service probe stolen ones.
 */
export async function introspectAccessToken(core: Core, token: string): Promise<Introspection> {
  const verified = await verifiedOrNull(core, token);
  if (verified === null || verified.restriction !== undefined) return INACTIVE;
  if (!(await stillLive(core, verified))) return INACTIVE;
  const { claims } = verified;
  return {
    active: true,
    token_type: 'access_token',
    iss: core.issuer,
    sub: verified.sub,
    aud: claims.aud ?? core.settings.tokens.audience,
    exp: verified.exp,
    iat: verified.iat,
    jti: verified.jti,
    roles: verified.roles,
    ...(verified.sid === undefined ? {} : { sid: verified.sid }),
    ...(verified.scope.length > 0 ? { scope: verified.scope.join(' ') } : {}),
    ...(verified.clientId === undefined ? {} : { client_id: verified.clientId }),
  };
}

async function verifiedOrNull(core: Core, token: string): Promise<VerifiedAccessToken | null> {
  try {
    return await core.accessTokens.verify(token);
  } catch (error) {
    if (isVerifyError(error)) return null;
    throw error;
  }
}

async function stillLive(core: Core, verified: VerifiedAccessToken): Promise<boolean> {
  const { db } = core.store;
  if (verified.sid !== undefined) {
    const session = await findLiveSessionById(db, verified.sid, core.clock.now());
    if (session === null || session.userId !== verified.sub) return false;
  }
  const user = await findUserById(db, verified.sub);
  return user !== null && user.bannedAt === null;
}
