import type { Core } from '../../core.js';
import { signAccessToken } from '../../crypto/sign-access-token.js';

export interface IssuedAccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** An RFC 9068 access token for a session: who, which session, and the roles to authorize with. Nothing secret. */
export async function issueAccessToken(
  core: Core,
  subject: { userId: string; sessionId: string; roles: readonly string[]; rolesVersion: number },
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
    lifetimeSeconds,
    now: new Date(core.clock.now()),
  });
  return { accessToken, tokenType: 'Bearer', expiresIn: lifetimeSeconds };
}
