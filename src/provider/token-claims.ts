import {
  type AccessToken,
  type ClientCredentials,
  errors,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { Core } from '../core.js';
import { sessionOfGrant } from '../store/repositories/oauth-grant-sessions.js';
import { findUserById } from '../store/repositories/users.js';

type Source = {
  acr?: string | undefined;
  amr?: string[] | undefined;
  authTime?: number | undefined;
};

/**
 * Claims a user's access token carries beyond RFC 9068's: the Gatehouse
 * session it was given under (`sid`: logging out or a ban revokes it on every
 * resource server through the revocation feed, as for first-party tokens), the
 * user's roles with their version (`rv`), and how the user signed in.
 * Machine tokens (client credentials) carry none of these.
 */
export function tokenClaimsIn(core: Core) {
  return async (ctx: KoaContextWithOIDC, token: AccessToken | ClientCredentials) => {
    if (!('accountId' in token)) return undefined;
    const { accountId, grantId } = token;
    if (grantId === undefined) return undefined;
    const [sid, user] = await Promise.all([
      sessionOfGrant(core.store.db, grantId),
      findUserById(core.store.db, accountId),
    ]);
    // The grant's session ended while this token was being made (a revocation racing a
    // refresh): no token without its `sid`, which is what lets the feed revoke it.
    if (sid === undefined || !user) throw new errors.InvalidGrant('grant revoked');
    const entities = ctx.oidc.entities as { AuthorizationCode?: Source; RefreshToken?: Source };
    const source = entities.AuthorizationCode ?? entities.RefreshToken;
    return {
      sid,
      roles: user.roles,
      rv: user.rolesVersion,
      ...(source?.amr ? { amr: source.amr } : {}),
      ...(source?.acr ? { acr: source.acr } : {}),
      ...(source?.authTime ? { auth_time: source.authTime } : {}),
    };
  };
}
