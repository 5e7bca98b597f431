import { AuthError } from '../errors.js';

/** The hosts of this machine: the only ones a client may register plain http URIs for. */
export const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A redirect URI as it will be matched: exactly, character for character
 * (the provider compares strings). Refused: relative URIs, fragments,
 * userinfo, and plain http except to this machine (a native or development
 * app on loopback). What is stored is what was given, never a normalised
 * form, so a near-miss at authorization cannot match.
 */
export function checkRedirectUri(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthError('invalid_request', `The ${what} is not an absolute URL: ${value}`);
  }
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
