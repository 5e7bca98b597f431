/** Browsers drop tabs and newlines and read "\\" as "/" before they resolve a URL. */
function hasTrickCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/**
 * Where to go after signing in: only a path on this site. Anything that a
 * browser could read as another origin is refused, whatever its spelling:
 * `//host`, `/\host`, `\\host`, `https:`, `javascript:`, control characters
 * and their percent-encodings. What is refused falls back to `fallback`.
 */
export function safeReturnTo(value: unknown, fallback = '/account'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback;
  if (!value.startsWith('/')) return fallback;
  if (hasTrickCharacter(value)) return fallback;
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  if (hasTrickCharacter(decoded) || decoded.startsWith('//')) return fallback;
  const base = 'https://gatehouse.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** `path?return_to=<target>`, for links and redirects that carry the destination along. */
export const withReturnTo = (path: string, target: string | undefined): string =>
  target && target !== '/account' ? `${path}?return_to=${encodeURIComponent(target)}` : path;
