import type { Core } from '../../core.js';
import { createProviderHost, type ProviderHost } from '../../provider/host.js';
import { loadPageAssets } from '../pages/assets.js';
import { providerPages } from './provider-pages.js';
import { signOutOfGatehouseToo } from './single-logout.js';

const hosts = new WeakMap<Core, ProviderHost>();

/** The one provider host of a core: the OAuth area mounts it, the interaction page drives it. */
export function providerHostOf(core: Core): ProviderHost {
  let host = hosts.get(core);
  if (!host) {
    const { assets } = loadPageAssets(core.settings);
    host = createProviderHost(core, {
      ...providerPages(core, assets),
      decorate: signOutOfGatehouseToo(core),
    });
    hosts.set(core, host);
  }
  return host;
}
