import { type OidcProviderSettings, oidcProviderSchema } from '../../config/schema.js';
import type { Core } from '../../core.js';
import { open } from '../../crypto/secret-box.js';
import { AuthError } from '../../errors.js';
import { listStoredProviders } from '../../store/repositories/oidc-providers.js';

/** A provider ready to use: its preset applied, its secret opened. */
export interface OidcProvider {
  id: string;
  name: string;
  /** `oidc`: discovery and an ID token; `github`: OAuth 2.0 and GitHub's user API. */
  kind: 'oidc' | 'github';
  preset: OidcProviderSettings['preset'];
  /** For `oidc`: the issuer to discover. */
  issuer: string | null;
  clientId: string;
  clientSecret: string | null;
  scopes: string[];
  authoritativeEmailDomains: string[];
  homeRealmDomains: string[];
  allowCreate: boolean;
  trustUpstreamAmr: boolean;
  responseMode: 'query' | 'form_post';
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  apiBaseUrl: string | null;
  /** Where it came from: the settings file, or `gatehouse oidc add`. */
  source: 'settings' | 'database';
}

export const secretAad = (id: string) => `oidc-provider:${id}`;

/** What each preset fills in when the settings leave it out. */
const presets = {
  google: {
    issuer: 'https://accounts.google.com',
    scopes: ['openid', 'email', 'profile'],
    // Google owns these mailboxes; a Workspace domain is vouched for by the `hd` claim instead.
    domains: ['gmail.com', 'googlemail.com'],
  },
  microsoft: { issuer: null, scopes: ['openid', 'email', 'profile'], domains: [] },
  apple: {
    issuer: 'https://appleid.apple.com',
    scopes: ['openid', 'email', 'name'],
    domains: ['icloud.com', 'me.com', 'mac.com', 'privaterelay.appleid.com'],
  },
  github: { issuer: null, scopes: ['read:user', 'user:email'], domains: [] },
} as const;

const microsoftIssuer = (tenant: string | undefined) =>
  `https://login.microsoftonline.com/${tenant ?? 'common'}/v2.0`;

export function resolveProvider(
  settings: OidcProviderSettings,
  clientSecret: string | null,
  source: OidcProvider['source'],
): OidcProvider {
  const preset = settings.preset ? presets[settings.preset] : null;
  const issuer =
    settings.issuer ??
    (settings.preset === 'microsoft' ? microsoftIssuer(settings.tenant) : (preset?.issuer ?? null));
  const kind = settings.preset === 'github' ? 'github' : 'oidc';
  return {
    id: settings.id,
    name: settings.name,
    kind,
    preset: settings.preset,
    issuer,
    clientId: settings.clientId,
    clientSecret,
    scopes: settings.scopes ?? [...(preset?.scopes ?? ['openid', 'email', 'profile'])],
    authoritativeEmailDomains: (settings.authoritativeEmailDomains.length > 0
      ? settings.authoritativeEmailDomains
      : [...(preset?.domains ?? [])]
    ).map((domain) => domain.toLowerCase()),
    homeRealmDomains: settings.homeRealmDomains.map((domain) => domain.toLowerCase()),
    allowCreate: settings.allowCreate,
    trustUpstreamAmr: settings.trustUpstreamAmr,
    responseMode: settings.responseMode ?? (settings.preset === 'apple' ? 'form_post' : 'query'),
    authorizationEndpoint:
      settings.authorizationEndpoint ??
      (kind === 'github' ? 'https://github.com/login/oauth/authorize' : null),
    tokenEndpoint:
      settings.tokenEndpoint ??
      (kind === 'github' ? 'https://github.com/login/oauth/access_token' : null),
    apiBaseUrl: settings.apiBaseUrl ?? (kind === 'github' ? 'https://api.github.com' : null),
    source,
  };
}

/** The configured providers: the settings file's first, then the CLI's (an id in both is the settings'). */
export async function listOidcProviders(core: Core): Promise<OidcProvider[]> {
  const fromSettings = core.settings.oidc.providers.map((p) =>
    resolveProvider(p, p.clientSecret ?? null, 'settings'),
  );
  const taken = new Set(fromSettings.map((p) => p.id));
  const stored = await listStoredProviders(core.store.db);
  const fromDatabase: OidcProvider[] = [];
  for (const row of stored) {
    if (taken.has(row.id)) continue;
    const parsed = oidcProviderSchema.safeParse(JSON.parse(row.config));
    if (!parsed.success) {
      core.logger.warn({ provider: row.id }, 'a stored OIDC provider does not parse; skipped');
      continue;
    }
    const secret = row.clientSecretSealed
      ? open(core.secretKey, row.clientSecretSealed, secretAad(row.id))
      : null;
    fromDatabase.push(resolveProvider(parsed.data, secret, 'database'));
  }
  return [...fromSettings, ...fromDatabase];
}

export async function findOidcProvider(core: Core, id: string): Promise<OidcProvider> {
  const provider = (await listOidcProviders(core)).find((p) => p.id === id);
  if (!provider) throw new AuthError('not_found', 'No such sign-in provider.');
  return provider;
}

/** Exact, after lower-casing: the provider vouches only for the domains it was configured for. */
export const isAuthoritativeFor = (provider: OidcProvider, email: string): boolean => {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return provider.authoritativeEmailDomains.includes(domain);
};
