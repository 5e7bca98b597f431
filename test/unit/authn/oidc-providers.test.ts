import { describe, expect, it } from 'vitest';
import { OidcClients } from '../../../src/authn/federation/oidc-client.js';
import {
  isAuthoritativeFor,
  resolveProvider,
} from '../../../src/authn/federation/oidc-providers.js';
import { oidcProviderSchema } from '../../../src/config/schema.js';

const resolve = (input: Record<string, unknown>) =>
  resolveProvider(
    oidcProviderSchema.parse({ clientId: 'c', name: 'N', ...input }),
    null,
    'settings',
  );

describe('provider presets', () => {
  it('fills in Google, Microsoft (multi-tenant by default), Apple (form_post) and GitHub (OAuth 2.0)', () => {
    expect(resolve({ id: 'google', preset: 'google' })).toMatchObject({
      kind: 'oidc',
      issuer: 'https://accounts.google.com',
      authoritativeEmailDomains: ['gmail.com', 'googlemail.com'],
      responseMode: 'query',
    });
    expect(resolve({ id: 'ms', preset: 'microsoft' }).issuer).toBe(
      'https://login.microsoftonline.com/common/v2.0',
    );
    expect(
      resolve({ id: 'ms', preset: 'microsoft', tenant: 'contoso.onmicrosoft.com' }).issuer,
    ).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    expect(resolve({ id: 'apple', preset: 'apple' }).responseMode).toBe('form_post');
    expect(resolve({ id: 'gh', preset: 'github' })).toMatchObject({
      kind: 'github',
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      tokenEndpoint: 'https://github.com/login/oauth/access_token',
      apiBaseUrl: 'https://api.github.com',
      authoritativeEmailDomains: [],
    });
  });

  it('refuses a provider with neither issuer nor preset, and an id that is not URL-safe', () => {
    expect(oidcProviderSchema.safeParse({ id: 'x', name: 'X', clientId: 'c' }).success).toBe(false);
    expect(
      oidcProviderSchema.safeParse({ id: '../x', name: 'X', clientId: 'c', preset: 'google' })
        .success,
    ).toBe(false);
  });

  it('is authoritative for exactly its configured domains, not their look-alikes or subdomains', () => {
    const provider = resolve({
      id: 'g',
      preset: 'google',
      authoritativeEmailDomains: ['Example.com'],
    });
    expect(isAuthoritativeFor(provider, 'a@example.com')).toBe(true);
    expect(isAuthoritativeFor(provider, 'a@EXAMPLE.COM')).toBe(true);
    expect(isAuthoritativeFor(provider, 'a@mail.example.com')).toBe(false);
    expect(isAuthoritativeFor(provider, 'a@exаmple.com')).toBe(false); // a Cyrillic a
    expect(isAuthoritativeFor(provider, 'a@gmail.com')).toBe(false); // the list replaces the preset's
  });

  it('refuses discovery over plain http unless the issuer is loopback', async () => {
    const clients = new OidcClients();
    await expect(
      clients.configurationFor(resolve({ id: 'x', issuer: 'http://sso.example.com' })),
    ).rejects.toMatchObject({ code: 'invalid_config' });
  });
});
