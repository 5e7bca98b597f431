import { OIDC_SCOPES, type Settings } from '../config/schema.js';

/** The OpenID Connect scopes the provider releases claims for (see account.ts). */
export { OIDC_SCOPES };

/**
 * Every scope the provider knows: its own and those of the APIs it issues
 * tokens for. oidc-provider only holds a client to its registered `scope`
 * for scopes it knows, so the APIs' scopes are known too: a client
 * registered for `posts:read` asking for `posts:write` gets `invalid_scope`.
 */
export function knownScopes(settings: Settings): string[] {
  const apiScopes = settings.provider.resourceServers.flatMap((server) => server.scopes);
  return [...new Set([...OIDC_SCOPES, ...apiScopes])];
}
