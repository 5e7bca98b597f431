import type { AdapterPayload } from 'oidc-provider';
import type { OauthClientRow } from '../store/repositories/oauth-clients.js';

/** What Gatehouse stores of a client: its registered metadata, never a secret. */
export interface StoredClientMetadata {
  redirect_uris: string[];
  grant_types: string[];
  response_types: 'code'[];
  token_endpoint_auth_method: 'client_secret_basic' | 'private_key_jwt' | 'none';
  scope?: string;
  post_logout_redirect_uris?: string[];
  backchannel_logout_uri?: string;
  jwks?: { keys: Record<string, unknown>[] };
  /** Unset: the provider's default, the key ring's primary algorithm. */
  id_token_signed_response_alg?: 'EdDSA' | 'ES256' | 'RS256';
}

/**
 * The metadata oidc-provider sees. `client_secret` is the secret's hash: the
 * provider compares presented secrets through `compareClientSecret`, which
 * Gatehouse replaces (see provider.ts); features that would use the secret
 * as a key (HS* signatures, `client_secret_jwt`) are switched off.
 */
export function clientMetadataOf(row: OauthClientRow): AdapterPayload {
  const stored = JSON.parse(row.metadata) as StoredClientMetadata;
  return {
    ...stored,
    client_id: row.client_id,
    client_name: row.name,
    ...(row.secret_hash === null ? {} : { client_secret: row.secret_hash }),
  };
}
