import type { Core } from '../core.js';

/** Where the hosted pages live: mails link to them (src/http/pages serves them). */
export const pagePaths = {
  verifyEmail: '/verify-email',
  resetPassword: '/reset-password',
  /** The page posts the token; a GET never consumes it (mail scanners follow links). */
  magicLink: '/magic-link',
  account: '/account',
  login: '/login',
} as const;

export type Page = keyof typeof pagePaths;

/**
 * An absolute link to a page: `publicUrl` + path (http://localhost:PORT
 * without publicUrl, development only), with a mailed token as `?token=`.
 */
export function pageLink(core: Core, page: Page, token?: string): string {
  const base = core.issuer.replace(/\/+$/, '');
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return `${base}${pagePaths[page]}${query}`;
}
