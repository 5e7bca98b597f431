import { audit } from '../authn/audit.js';
import type { RequestMeta } from '../authn/meta.js';
import type { Core } from '../core.js';
import { randomToken, sha256 } from '../crypto/random.js';
import { AuthError } from '../errors.js';
import {
  deleteOauthClient,
  findOauthClient,
  insertOauthClient,
  listOauthClients,
  type OauthClientRow,
  updateOauthClientSecret,
} from '../store/repositories/oauth-clients.js';
import type { StoredClientMetadata } from './client-metadata.js';
import { checkRedirectUri } from './redirect-uris.js';
import { knownScopes } from './scopes.js';

export type ClientGrant = 'authorization_code' | 'refresh_token' | 'client_credentials';

export interface NewClient {
  name: string;
  redirectUris: readonly string[];
  /** A browser or native app that cannot keep a secret: no secret, PKCE (always required anyway). */
  public?: boolean;
  grants?: readonly ClientGrant[];
  /** The scopes this client may ask for; unset: any scope the provider knows. */
  scope?: string;
  /** A first-party app: its users see no consent screen. */
  trusted?: boolean;
  postLogoutRedirectUris?: readonly string[];
  backchannelLogoutUri?: string;
  /** Public keys for `private_key_jwt` client authentication instead of a secret. */
  jwks?: { keys: readonly Record<string, unknown>[] };
  /**
   * How its ID tokens are signed; unset: the key ring's primary algorithm.
   * Only an algorithm the ring has a key for (RS256 needs `tokens.rsaSigningKey`).
   */
  idTokenSigningAlg?: IdTokenSigningAlg;
}

export type IdTokenSigningAlg = 'EdDSA' | 'ES256' | 'RS256';

export interface CreatedClient {
  client_id: string;
  /** Shown once; only its hash is kept. Absent for public and `private_key_jwt` clients. */
  client_secret?: string;
}

export interface ClientSummary {
  clientId: string;
  name: string;
  public: boolean;
  trusted: boolean;
  redirectUris: readonly string[];
  grants: readonly string[];
  scope: string | undefined;
  tokenEndpointAuthMethod: string;
  createdAt: number;
}

/** Who registers, deletes or rotates a client, for the audit log: an admin, or the operator's CLI (no user). */
export interface ClientActor {
  actorId: string | null;
  meta: RequestMeta;
}

const UNNAMED: ClientActor = { actorId: null, meta: { ip: null, userAgent: null } };

const DEFAULT_GRANTS: readonly ClientGrant[] = ['authorization_code', 'refresh_token'];
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/**
 * What a client secret is stored and compared as. The secret is 256 random
 * bits we generated, so a fast hash suffices (as for API keys), and it does
 * not depend on the server secret, which can be rotated.
 */
export const clientSecretHash = (secret: string): string => sha256(secret);

/** Registers a relying party. Everything is checked before anything is written. */
export async function createClient(
  core: Core,
  input: NewClient,
  by: ClientActor = UNNAMED,
): Promise<CreatedClient> {
  const metadata = metadataFor(input);
  checkScopesKnown(core, metadata.scope);
  checkSigningAlgKnown(core, metadata.id_token_signed_response_alg);
  const withSecret = metadata.token_endpoint_auth_method === 'client_secret_basic';
  // Never shaped like a user id: a machine token's `sub` is its client id.
  const clientId = `client_${randomToken(16)}`;
  const secret = withSecret ? randomToken() : undefined;
  const now = core.clock.now();
  const row: OauthClientRow = {
    client_id: clientId,
    name: input.name,
    metadata: JSON.stringify(metadata),
    secret_hash: secret === undefined ? null : clientSecretHash(secret),
    trusted: input.trusted ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
  await core.store.db.transaction().execute(async (trx) => {
    await insertOauthClient(trx, row);
    await audit(
      core,
      {
        type: 'client_registered',
        outcome: 'success',
        userId: null,
        detail: { clientId, name: row.name, by: by.actorId },
      },
      by.meta,
      trx,
    );
  });
  return secret === undefined
    ? { client_id: clientId }
    : { client_id: clientId, client_secret: secret };
}

function metadataFor(input: NewClient): StoredClientMetadata {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200)
    throw new AuthError('invalid_request', 'A client needs a name of 1 to 200 characters.');
  const grants: string[] = [...new Set(input.grants ?? DEFAULT_GRANTS)];
  const usesCode = grants.includes('authorization_code');
  if (input.public && grants.includes('client_credentials'))
    throw new AuthError(
      'invalid_request',
      'A public client cannot use client credentials: it has no secret.',
    );
  if (grants.includes('refresh_token') && !usesCode)
    throw new AuthError(
      'invalid_request',
      'The refresh_token grant comes with authorization_code.',
    );
  if (usesCode && input.redirectUris.length === 0)
    throw new AuthError(
      'invalid_request',
      'An authorization-code client needs at least one redirect URI.',
    );
  if (!usesCode && input.redirectUris.length > 0)
    throw new AuthError(
      'invalid_request',
      'Redirect URIs are for authorization-code clients only.',
    );
  const redirectUris = [...new Set(input.redirectUris)].map((uri) =>
    checkRedirectUri(uri, 'redirect URI'),
  );
  const postLogout = (input.postLogoutRedirectUris ?? []).map((uri) =>
    checkRedirectUri(uri, 'post-logout redirect URI'),
  );
  // No user stands behind a machine's token: what it may ask for is said up front, never "everything".
  if (grants.includes('client_credentials') && (input.scope ?? '').trim() === '')
    throw new AuthError(
      'invalid_request',
      'A client-credentials client needs the scopes it may ask for (--scope).',
    );
  if (input.scope !== undefined && !SCOPE.test(input.scope))
    throw new AuthError('invalid_request', 'The scope is a space-separated list of scope names.');
  if (input.public && input.jwks)
    throw new AuthError('invalid_request', 'A public client has no keys to authenticate with.');
  const method: StoredClientMetadata['token_endpoint_auth_method'] = input.public
    ? 'none'
    : input.jwks
      ? 'private_key_jwt'
      : 'client_secret_basic';
  return {
    redirect_uris: redirectUris,
    grant_types: grants,
    response_types: usesCode ? ['code'] : [],
    token_endpoint_auth_method: method,
    ...(input.scope === undefined ? {} : { scope: input.scope }),
    ...(postLogout.length === 0 ? {} : { post_logout_redirect_uris: postLogout }),
    ...(input.backchannelLogoutUri === undefined
      ? {}
      : {
          backchannel_logout_uri: checkRedirectUri(
            input.backchannelLogoutUri,
            'back-channel logout URI',
          ),
        }),
    ...(input.jwks === undefined ? {} : { jwks: { keys: input.jwks.keys.map(clientKeyOf) } }),
    ...(input.idTokenSigningAlg === undefined
      ? {}
      : { id_token_signed_response_alg: input.idTokenSigningAlg }),
  };
}

/** oidc-provider refuses a client registered for a scope it does not know: refuse it here, at creation. */
function checkScopesKnown(core: Core, scope: string | undefined): void {
  if (scope === undefined) return;
  const known = new Set(knownScopes(core.settings));
  const unknown = scope.split(' ').filter((item) => !known.has(item));
  if (unknown.length > 0)
    throw new AuthError(
      'invalid_request',
      `Unknown scope: ${unknown.join(' ')} (neither the provider's nor a resource server's).`,
    );
}

function checkSigningAlgKnown(core: Core, alg: string | undefined): void {
  if (alg === undefined) return;
  const algorithms: readonly string[] = core.keys.algorithms();
  if (!algorithms.includes(alg))
    throw new AuthError(
      'invalid_request',
      `No signing key for ${alg} ID tokens: the key ring signs with ${algorithms.join(', ')}${alg === 'RS256' ? ' (RS256 needs tokens.rsaSigningKey)' : ''}.`,
    );
}

/**
 * A client's public key as the provider will match it. `EdDSA` and RFC 9864's
 * `Ed25519` name one algorithm for an Ed25519 key, and clients sign with
 * either (openid-client: `Ed25519`); the provider only picks a key whose
 * `alg` is the assertion's, so such a key keeps no `alg` (its curve pins it).
 */
function clientKeyOf(key: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { alg, ...rest } = key;
  const ed25519 = key.kty === 'OKP' && key.crv === 'Ed25519';
  return ed25519 && (alg === 'EdDSA' || alg === 'Ed25519') ? rest : { ...key };
}

export async function listClients(core: Core): Promise<ClientSummary[]> {
  return (await listOauthClients(core.store.db)).map(summaryOf);
}

export function summaryOf(row: OauthClientRow): ClientSummary {
  const metadata = JSON.parse(row.metadata) as StoredClientMetadata;
  const method = metadata.token_endpoint_auth_method;
  return {
    clientId: row.client_id,
    name: row.name,
    public: method === 'none',
    trusted: row.trusted === 1,
    redirectUris: metadata.redirect_uris,
    grants: metadata.grant_types,
    scope: metadata.scope,
    tokenEndpointAuthMethod: method,
    createdAt: row.created_at,
  };
}

export async function findClient(core: Core, clientId: string): Promise<ClientSummary> {
  const row = await findOauthClient(core.store.db, clientId);
  if (!row) throw new AuthError('not_found', 'No such client.');
  return summaryOf(row);
}

/** Deletes a client; its grants and tokens stop working at once (the provider finds no client). */
export async function deleteClient(
  core: Core,
  clientId: string,
  by: ClientActor = UNNAMED,
): Promise<void> {
  await core.store.db.transaction().execute(async (trx) => {
    if (!(await deleteOauthClient(trx, clientId)))
      throw new AuthError('not_found', 'No such client.');
    await audit(
      core,
      {
        type: 'client_deleted',
        outcome: 'success',
        userId: null,
        detail: { clientId, by: by.actorId },
      },
      by.meta,
      trx,
    );
  });
}

/**
 * A new secret for a confidential client, returned once; the old one stops
 * working at once (the provider reads the client from the store on every request).
 */
export async function rotateClientSecret(
  core: Core,
  clientId: string,
  by: ClientActor = UNNAMED,
): Promise<CreatedClient> {
  const row = await findOauthClient(core.store.db, clientId);
  if (!row) throw new AuthError('not_found', 'No such client.');
  if (row.secret_hash === null)
    throw new AuthError(
      'conflict',
      'This client has no secret: it is public or signs with its keys.',
    );
  const secret = randomToken();
  await core.store.db.transaction().execute(async (trx) => {
    if (!(await updateOauthClientSecret(trx, clientId, clientSecretHash(secret), core.clock.now())))
      throw new AuthError('not_found', 'No such client.');
    await audit(
      core,
      {
        type: 'client_secret_rotated',
        outcome: 'success',
        userId: null,
        detail: { clientId, by: by.actorId },
      },
      by.meta,
      trx,
    );
  });
  return { client_id: clientId, client_secret: secret };
}
