import type { Core } from '../../core.js';
import { normalizeEmail } from '../meta.js';
import { listOidcProviders } from './oidc-providers.js';
import { samlConnections } from './saml-connections.js';

/** Where an email's domain signs in, when it is not here with a password. */
export type HomeRealm = { kind: 'saml' | 'oidc'; id: string };

/**
 * Home-realm discovery: the SAML connection or OpenID provider that serves
 * the email's domain (SAML first: an enterprise connection is the more
 * specific answer), or null for a password here.
 */
export async function homeRealmOf(core: Core, email: string): Promise<HomeRealm | null> {
  const normalized = normalizeEmail(email);
  const domain = normalized.slice(normalized.lastIndexOf('@') + 1);
  if (!normalized.includes('@') || !domain) return null;
  for (const connection of samlConnections(core.settings).values())
    if (connection.emailDomains.includes(domain)) return { kind: 'saml', id: connection.id };
  for (const provider of await listOidcProviders(core))
    if (provider.homeRealmDomains.includes(domain)) return { kind: 'oidc', id: provider.id };
  return null;
}
