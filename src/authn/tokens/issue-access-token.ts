import type { Core } from '../../core.js';
import { signAccessToken } from '../../crypto/sign-access-token.js';
import type { Authentication } from '../login/assurance.js';

export interface IssuedAccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
  roles: readonly string[];
  rolesVersion: number;
  /** The session's authentication, carried as amr, acr and auth_time. */
  auth: Authentication;
  /** The session's restriction: the token carries it, so it cannot escape it (`mfa.requiredForRoles`). */
  restriction: 'mfa_enrollment' | null;
}

/** An RFC 9068 access token for a session: who, which session, how they signed in, and the roles to authorize with. Nothing secret. */
export async function issueAccessToken(
  core: Core,
  subject: AccessTokenSubject,
): Promise<IssuedAccessToken> {
  const lifetimeSeconds = core.settings.tokens.accessTokenLifetimeSeconds;
  await core.keys.refreshIfStale();
  const accessToken = await signAccessToken(core.keys.signer(), {
    iss: core.issuer,
    aud: core.settings.tokens.audience,
    sub: subject.userId,
    sid: subject.sessionId,
    roles: subject.roles,
    rolesVersion: subject.rolesVersion,
    amr: subject.auth.amr,
    acr: subject.auth.acr,
    authTimeSeconds: Math.floor(subject.auth.authTime / 1000),
    ...(subject.restriction === null ? {} : { restriction: subject.restriction }),
    lifetimeSeconds,
    now: new Date(core.clock.now()),
  });
  return { accessToken, tokenType: 'Bearer', expiresIn: lifetimeSeconds };
}
