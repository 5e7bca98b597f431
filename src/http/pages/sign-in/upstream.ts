import type { Core } from '../../../core.js';

/** A button that sends a person to an upstream identity provider to sign in there. */
export interface UpstreamButton {
  label: string;
  href: string;
}

/**
 * The seat for federation: the sign-in page shows one button per configured
 * upstream provider. None exist yet; when federation lands, this function
 * reads them from `core` (and only this function changes).
 */
export function upstreamButtons(_core: Core): readonly UpstreamButton[] {
  return [];
}
