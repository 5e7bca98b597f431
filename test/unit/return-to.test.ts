import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/http/pages/return-to.js';
import { openRedirects } from '../helpers/open-redirects.js';

describe('return_to accepts only same-origin relative paths', () => {
  it.each(openRedirects)('refuses %j', (value) => {
    expect(safeReturnTo(value)).toBe('/account');
  });

  it('refuses what is not text', () => {
    for (const value of [undefined, null, 42, ['/account/sessions'], { path: '/x' }])
      expect(safeReturnTo(value, '/login')).toBe('/login');
  });

  it.each([
    '/account',
    '/account/sessions',
    '/admin/user/abc?tab=sessions',
    '/account#passkeys',
    '/oauth/authorize?client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb',
    '/path/with%20space',
    '/@evil.example', // a path on this site, however it looks
  ])('keeps %j', (value) => {
    expect(safeReturnTo(value)).toBe(value);
  });

  it('normalizes dot segments without leaving the site', () => {
    expect(safeReturnTo('/account/../admin')).toBe('/admin');
    expect(safeReturnTo('/../../evil.example')).toBe('/evil.example');
  });
});
