import Provider, {
  type Configuration,
  errors,
  type JWK,
  type KoaContextWithOIDC,
  type ResourceServer,
} from 'oidc-provider';
import type { Core } from '../core.js';
import { keyedHash } from '../crypto/keyed-hash.js';
import { constantTimeEqual } from '../crypto/random.js';
import { findAccountIn, SCOPE_CLAIMS } from './account.js';
import { createStoreAdapter } from './adapter.js';
import { browserSessionOf, type SessionCookieReader } from './browser-session.js';
import { clientSecretHash } from './clients.js';
import { loadExistingGrantIn } from './grants.js';
import { outboundFetch } from './outbound-fetch.js';
import { interactionPolicyFor } from './policy.js';
import { knownScopes } from './scopes.js';
import { tokenClaimsIn } from './token-claims.js';
import { answerUnauthorizedClient } from './token-errors.js';
import { introspectionAllowedIn, revocationAllowed } from './token-policies.js';

/** What the HTTP layer gives the provider: where its pages are and how they look. */
export interface ProviderPages {
  /** The path of the page that runs an interaction (sign-in, consent) for `uid`. */
  interactionPath(uid: string): string;
  readSessionCookie: SessionCookieReader;
  renderError: NonNullable<Configuration['renderError']>;
  logoutSource(ctx: KoaContextWithOIDC, form: string): void | Promise<void>;
  postLogoutSuccessSource(ctx: KoaContextWithOIDC): void | Promise<void>;
  /** Middleware and listeners of the HTTP layer, added to each provider built. */
  decorate?(provider: Provider): void;
}

/**
 * Signature algorithms for keys a client holds (private_key_jwt, request
 * objects): never HS*, the secret is only a hash. `Ed25519` is RFC 9864's
 * name for EdDSA over Ed25519, which openid-client signs with.
 */
const CLIENT_KEY_ALGS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'PS256', 'RS256'] as const;
const INTERACTION_TTL_SECONDS = 3600;

/**
 * oidc-provider configured on Gatehouse: its keys are the key ring's, its
 * storage the store, its accounts Gatehouse's users, its sign-in and consent
 * Gatehouse's own pages. Built again when the signing keys change (see host.ts).
 */
export function buildProvider(core: Core, pages: ProviderPages): Provider {
  const { settings } = core;
  const browserSession = (ctx: KoaContextWithOIDC) =>
    browserSessionOf(core, pages.readSessionCookie, ctx);
  const keys = core.keys.signingKeys();
  const algorithms = keys.map((key) => key.alg);
  const primary = algorithms[0];
  if (primary === undefined) throw new Error('the key ring has no signing key');
  const grantLifetime = settings.session.absoluteTimeoutSeconds;
  const accessTokenTTL = settings.tokens.accessTokenLifetimeSeconds;
  const resourceServers = new Map(settings.provider.resourceServers.map((rs) => [rs.audience, rs]));
  const secure = core.issuer.startsWith('https:');

  const configuration: Configuration = {
    adapter: createStoreAdapter(core.store.db, core.clock),
    findAccount: findAccountIn(core),
    jwks: {
      keys: keys.map(
        (key) => ({ ...key.privateJwk, kid: key.kid, alg: key.alg, use: 'sig' }) as JWK,
      ),
    },
    cookies: {
      keys: [keyedHash(core.secretKey, 'oidc-provider-cookies', 'v1')],
      long: { signed: true, httpOnly: true, sameSite: 'lax', secure },
      short: { signed: true, httpOnly: true, sameSite: 'lax', secure },
    },
    claims: SCOPE_CLAIMS as unknown as Configuration['claims'],
    scopes: knownScopes(settings),
    acrValues: ['aal1', 'aal2'],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: {
      idTokenSigningAlgValues: algorithms,
      userinfoSigningAlgValues: algorithms,
      introspectionSigningAlgValues: algorithms,
      authorizationSigningAlgValues: algorithms,
      clientAuthSigningAlgValues: [...CLIENT_KEY_ALGS],
      requestObjectSigningAlgValues: [...CLIENT_KEY_ALGS],
    } as Configuration['enabledJWA'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: primary,
      token_endpoint_auth_method: 'client_secret_basic',
      require_auth_time: true,
    },
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    rotateRefreshToken: true,
    // A client registered for refresh tokens gets one; it lives no longer than
    // the Gatehouse session it was given under (ending that session ends it).
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: accessTokenTTL,
      ClientCredentials: accessTokenTTL,
      AuthorizationCode: settings.provider.authorizationCodeLifetimeSeconds,
      IdToken: settings.provider.idTokenLifetimeSeconds,
      Interaction: INTERACTION_TTL_SECONDS,
      RefreshToken: grantLifetime,
      Session: grantLifetime,
      Grant: grantLifetime,
    },
    interactions: {
      url: (_ctx, interaction) => pages.interactionPath(interaction.uid),
      policy: interactionPolicyFor(browserSession),
    },
    loadExistingGrant: loadExistingGrantIn(core, browserSession),
    extraTokenClaims: tokenClaimsIn(core),
    renderError: pages.renderError,
    // A browser app (a public client on its own origin) may call the token
    // endpoint from the origin it registered a redirect URI on, and only that.
    clientBasedCORS: (_ctx, origin, client) =>
      client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
    // Apps on this machine are called back only by a development issuer (plain http, not production).
    fetch: outboundFetch(settings.nodeEnv !== 'production' && !secure),
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true, allowedPolicy: introspectionAllowedIn(core) },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      clientCredentials: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: pages.logoutSource,
        postLogoutSuccessSource: pages.postLogoutSuccessSource,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, indicator): ResourceServer => {
          const server = resourceServers.get(indicator);
          if (!server) throw new errors.InvalidTarget();
          return {
            scope: server.scopes.join(' '),
            audience: server.audience,
            accessTokenTTL,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: primary as 'EdDSA' } },
          };
        },
      },
    },
  };

  const provider = new Provider(core.issuer, configuration);
  // The HTTP layer hands requests over with Host and X-Forwarded-* set from the issuer and
  // Fastify's trusted client address (see http/oauth/plugin.ts), never a client's own.
  provider.proxy = true;
  // Only a hash of each client secret is stored (oidc-provider#631: the
  // comparison is the Client prototype's to replace). Features that would use
  // the secret itself as a key are off (HS* algorithms, client_secret_jwt).
  provider.Client.prototype.compareClientSecret = function compare(actual: string) {
    const stored = this.clientSecret;
    return stored !== undefined && constantTimeEqual(stored, clientSecretHash(actual));
  };
  answerUnauthorizedClient(provider);
  provider.on('server_error', (_ctx, error) => {
    core.logger.error({ err: error }, 'openid provider: server error');
  });
  // An app that did not take its back-channel logout is not retried; the log says so.
  provider.on('backchannel.error', (_ctx, error, client) => {
    core.logger.warn(
      { err: error, clientId: client.clientId },
      'openid provider: back-channel logout failed',
    );
  });
  return provider;
}
