import { listOidcProviders } from '../../../authn/federation/oidc-providers.js';
import type { Core } from '../../../core.js';
import { withReturnTo } from '../return-to.js';

/** A button that sends a person to an upstream identity provider to sign in there. */
export interface UpstreamButton {
  id: string;
  name: string;
  href: string;
}

/** One button per configured provider (settings and `gatehouse oidc add`), carrying `returnTo` along. */
export async function upstreamButtons(
  core: Core,
  returnTo = '/account',
): Promise<readonly UpstreamButton[]> {
  const providers = await listOidcProviders(core);
  return providers.map((provider) => ({
    id: provider.id,
    name: provider.name,
    href: withReturnTo(`/auth/oidc/${encodeURIComponent(provider.id)}/start`, returnTo),
  }));
}
