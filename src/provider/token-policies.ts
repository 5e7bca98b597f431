import {
  type AccessToken,
  type Client,
  type ClientCredentials,
  errors,
  type RefreshToken,
} from 'oidc-provider';

import type { Core } from '../core.js';
import { usableUser } from './account.js';

type AnyToken = AccessToken | ClientCredentials | RefreshToken;

const isPublic = (client: Client): boolean => client.clientAuthMethod === 'none';

/**
 * Who may introspect a token (RFC 7662 §2.1 leaves it to the server). A
 * confidential client may introspect any token: resource servers are
 * registered as confidential clients and must learn about tokens issued to
 * others. A public client proves nothing about itself, so it only learns
 * about its own tokens; any other token is `active: false` to it, as if
 * unknown. (oidc-provider's default, made explicit, and one more rule below.)
 */
export function introspectionAllowedIn(core: Core) {
  return async (_ctx: unknown, client: Client, token: AnyToken): Promise<boolean> => {
    if (isPublic(client) && token.clientId !== client.clientId) return false;
    // A user's token is active only while it may speak for them: oidc-provider
    // checks the grant, not the account, so a session that idled out would
    // otherwise leave its tokens "active" here while userinfo refuses them.
    if (!('accountId' in token) || token.accountId === undefined) return true;
    return (await usableUser(core, token.accountId, token.grantId)) !== undefined;
  };
}

/**
 * Who may revoke a token (RFC 7009 §2.1): only the client it was issued to.
 * A confidential client presenting another's token is told so
 * (`invalid_request`); a public one is answered as for an unknown token and
 * changes nothing. (oidc-provider's default, made explicit.)
 */
export function revocationAllowed(_ctx: unknown, client: Client, token: AnyToken): boolean {
  if (token.clientId === client.clientId) return true;
  if (isPublic(client)) return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
}
