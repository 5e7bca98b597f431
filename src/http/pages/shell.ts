import type { Settings } from '../../config/schema.js';
import type { PageAssets } from './assets.js';
import type { Strings } from './strings/index.js';

/** What every view needs to draw the page around its content. */
export interface Shell {
  t: Strings;
  /** This response's CSP nonce: a script tag without it does not run. */
  nonce: string;
  /** For the hidden field of every form on the page. */
  csrfToken: string;
  user: { email: string; isAdmin: boolean } | null;
  branding: Settings['branding'];
  assets: PageAssets;
  /** The OpenID Provider is on: the admin console lists its apps. */
  providerEnabled?: boolean;
  /** The path of this page, to mark the current link. */
  path: string;
  /** A message after a redirect, from the catalogue (`?notice=`). */
  notice?: string;
}
