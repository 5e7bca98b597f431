import * as client from 'openid-client';
import { AuthError } from '../../errors.js';
import type { OidcProvider } from './oidc-providers.js';

/** Plain http:// only to this machine (a provider in the tests); anything else must be https. */
export const isLoopbackUrl = (value: string): boolean => {
  const { hostname } = new URL(value);
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
};

function checkTransport(provider: OidcProvider, urls: readonly (string | null)[]): boolean {
  let insecure = false;
  for (const url of urls) {
    if (url === null) continue;
    const { protocol } = new URL(url);
    if (protocol === 'https:') continue;
    if (protocol === 'http:' && isLoopbackUrl(url)) {
      insecure = true;
      continue;
    }
    throw new AuthError(
      'invalid_config',
      `Provider ${provider.id}: ${url} must be https (plain http only on loopback).`,
    );
  }
  return insecure;
}

const clientMetadata = (provider: OidcProvider): Partial<client.ClientMetadata> =>
  provider.clientSecret ? { client_secret: provider.clientSecret } : {};

/**
 * An openid-client configuration per provider: discovered once (a failed
 * discovery is retried on the next sign-in), or built from explicit
 * endpoints for OAuth 2.0 without discovery (GitHub).
 */
export class OidcClients {
  private readonly configs = new Map<string, Promise<client.Configuration>>();

  async configurationFor(provider: OidcProvider): Promise<client.Configuration> {
    const key = JSON.stringify([
      provider.id,
      provider.issuer,
      provider.clientId,
      provider.clientSecret,
      provider.authorizationEndpoint,
      provider.tokenEndpoint,
    ]);
    let config = this.configs.get(key);
    if (!config) {
      config = this.build(provider);
      this.configs.set(key, config);
      config.catch(() => this.configs.delete(key));
    }
    return config;
  }

  private async build(provider: OidcProvider): Promise<client.Configuration> {
    if (provider.kind === 'github' || provider.issuer === null) {
      const { authorizationEndpoint, tokenEndpoint } = provider;
      if (!authorizationEndpoint || !tokenEndpoint)
        throw new AuthError('invalid_config', `Provider ${provider.id}: endpoints are missing.`);
      const insecure = checkTransport(provider, [authorizationEndpoint, tokenEndpoint]);
      const config = new client.Configuration(
        {
          issuer: new URL(authorizationEndpoint).origin,
          authorization_endpoint: authorizationEndpoint,
          token_endpoint: tokenEndpoint,
        },
        provider.clientId,
        clientMetadata(provider),
      );
      if (insecure) client.allowInsecureRequests(config);
      return config;
    }
    const insecure = checkTransport(provider, [provider.issuer]);
    try {
      const config = await client.discovery(
        new URL(provider.issuer),
        provider.clientId,
        clientMetadata(provider),
        undefined,
        insecure ? { execute: [client.allowInsecureRequests] } : {},
      );
      // Discovery may name endpoints elsewhere: they follow the same transport rule.
      // The ID token's signature is checked against the provider's JWKS even
      // though it came over TLS from the token endpoint (OIDC Core allows
      // skipping that; a key we can verify is worth more than the channel).
      client.enableNonRepudiationChecks(config);
      const server = config.serverMetadata();
      checkTransport(provider, [
        server.authorization_endpoint ?? null,
        server.token_endpoint ?? null,
        server.jwks_uri ?? null,
      ]);
      return config;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw new AuthError('unavailable', `Provider ${provider.id} cannot be reached.`, {
        cause: error,
      });
    }
  }
}
