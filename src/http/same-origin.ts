import type { Settings } from '../config/schema.js';
import { AuthError } from '../errors.js';

/** What a browser says about where a request comes from, and where it arrived. */
export interface RequestOrigin {
  /** The `Origin` header. */
  origin: string | undefined;
  /** The `Sec-Fetch-Site` header. */
  fetchSite: string | undefined;
  /** The scheme the request arrived over, and its `Host`: this server's origin when there is no public URL. */
  protocol: string;
  host: string | undefined;
}

export const isTrustedOrigin = (settings: Settings, origin: string | undefined): boolean =>
  origin !== undefined && settings.trustedOrigins.includes(origin);

/** This server's origin: the public URL's, else the request's scheme and Host. */
export const ownOrigin = (settings: Settings, seen: RequestOrigin): string =>
  settings.publicUrl ? new URL(settings.publicUrl).origin : `${seen.protocol}://${seen.host ?? ''}`;

/**
 * Refuses an unsafe request that a browser marks as coming from another site
 * or origin. A trusted origin (`trustedOrigins`, an exact match) passes as this
 * server's own would; CSRF tokens are still required of cookie sessions.
 */
export function assertSameOrigin(settings: Settings, seen: RequestOrigin): void {
  if (isTrustedOrigin(settings, seen.origin)) return;
  if (seen.fetchSite === 'cross-site') {
    throw new AuthError('csrf_failed', 'Cross-site request refused.');
  }
  if (seen.origin === undefined) return;
  if (seen.origin !== ownOrigin(settings, seen))
    throw new AuthError('csrf_failed', 'Cross-origin request refused.');
}
