import { withReturnTo } from '../return-to.js';

/** `/login`, with a notice and the destination carried along (both optional). */
export function loginPath(options: { notice?: string; returnTo?: string } = {}): string {
  const path = withReturnTo('/login', options.returnTo);
  if (!options.notice) return path;
  return `${path}${path.includes('?') ? '&' : '?'}notice=${encodeURIComponent(options.notice)}`;
}
