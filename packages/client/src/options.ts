/**
 * `cookie`: the browser holds the session (HttpOnly cookies Gatehouse sets) and the
 * client sends the session's CSRF token on unsafe requests. For an app on
 * Gatehouse's origin (the reverse-proxy recipe) or its site.
 *
 * `token`: no cookie at all; the access and refresh tokens live in this client's
 * memory and requests carry `Authorization: Bearer`. For an app on another origin.
 */
export type ClientMode = 'cookie' | 'token';

export interface ClientOptions {
  /** Where Gatehouse answers: an absolute URL, or a path on this page's origin (`/`). */
  baseUrl: string;
  mode: ClientMode;
  /**
   * Origins whose requests `client.fetch` gives credentials (the CSRF token or the
   * bearer token) and retries after a refresh. Gatehouse's own origin always is one;
   * add your API's. Requests to any other origin pass through untouched, so a token
   * never leaks to a third party.
   */
  apiOrigins?: readonly string[];
}

export interface ResolvedOptions {
  mode: ClientMode;
  /** With a trailing slash, so API paths resolve under it. */
  base: URL;
  apiOrigins: ReadonlySet<string>;
}

const pageUrl = (): string | undefined => globalThis.location?.href;

function originOf(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${setting}: ${JSON.stringify(value)} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${setting}: ${JSON.stringify(value)} is not an http(s) URL`);
  }
  return url.origin;
}

/** Programmer mistakes are TypeErrors, thrown at once, never at the first request. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (options.mode !== 'cookie' && options.mode !== 'token') {
    throw new TypeError(`mode: must be 'cookie' or 'token', not ${JSON.stringify(options.mode)}`);
  }
  let base: URL;
  try {
    base = new URL(options.baseUrl, pageUrl());
  } catch {
    throw new TypeError(`baseUrl: ${JSON.stringify(options.baseUrl)} is not a URL`);
  }
  originOf(base.href, 'baseUrl');
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  base.search = '';
  base.hash = '';
  const extra = (options.apiOrigins ?? []).map((origin) => {
    const parsed = originOf(origin, 'apiOrigins');
    if (parsed !== origin.replace(/\/$/, '')) {
      throw new TypeError(
        `apiOrigins: ${JSON.stringify(origin)} is not an origin (scheme://host[:port])`,
      );
    }
    return parsed;
  });
  return { mode: options.mode, base, apiOrigins: new Set([base.origin, ...extra]) };
}

/** An API path (`/auth/me`) under the base URL. */
export const apiUrl = (options: ResolvedOptions, path: string): string =>
  new URL(path.replace(/^\/+/, ''), options.base).href;
