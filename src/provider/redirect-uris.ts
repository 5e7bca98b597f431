import { AuthError } from '../errors.js';

/** The hosts of this machine: the only ones a client may register plain http URIs for. */
export const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
/** RFC 3986's characters, with well-formed percent-escapes: nothing a URL parser would repair. */
const PLAIN_URI = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;

/**
 * A redirect URI as it will be matched: exactly, character for character
 * (the provider compares strings). Refused: relative URIs, fragments,
 * userinfo, and plain http except to this machine (a native or development
 * app on loopback). What is stored is what was given, never a normalised
 * form, so a near-miss at authorization cannot match; and it must be plain
 * already, for a browser repairs what the URL parser repairs (strips spaces,
 * reads a backslash as `/`, `https:host/cb` as a path on the current site, a Unicode
 * host as its punycode): the stored string is then where the browser goes.
 */
export function checkRedirectUri(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthError('invalid_request', `The ${what} is not an absolute URL: ${value}`);
  }
  if (!PLAIN_URI.test(value) || !/^\/\/[^/]/.test(value.slice(url.protocol.length)))
    throw new AuthError(
      'invalid_request',
      `The ${what} must be a plain URI: scheme://host/path, ASCII only (a host in punycode), no spaces or backslashes, %-escapes well formed: ${JSON.stringify(value)}`,
    );
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw new AuthError(
      'invalid_request',
      `The ${what} must use https (http only to localhost): ${value}`,
    );
  if (url.hash !== '' || value.includes('#'))
    throw new AuthError('invalid_request', `The ${what} must not have a fragment: ${value}`);
  if (url.username !== '' || url.password !== '')
    throw new AuthError(
      'invalid_request',
      `The ${what} must not carry a user name or password: ${value}`,
    );
  return value;
}
