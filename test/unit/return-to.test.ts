import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/http/pages/return-to.js';

/** Spellings of "somewhere else" that browsers resolve to another origin (or to script). */
const openRedirects = [
  'https://evil.example/',
  'http://evil.example',
  '//evil.example',
  '//evil.example/account',
  '///evil.example',
  '////evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r/evil.example',
  '/%2F/evil.example',
  '/%2f%2fevil.example',
  '%2F%2Fevil.example',
  '/%5Cevil.example',
  '/%5c%5cevil.example',
  '/%09/evil.example',
  '/%0a/evil.example',
  '/%00/evil.example',
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'evil.example',
  'account',
  '.evil.example',
  '@evil.example',
  'https:evil.example',
  'https:/evil.example',
  ' /account',
  '\u0000/account',
  '/%E0%A4%A', // broken percent-encoding
  '',
  `/${'a'.repeat(2100)}`,
];

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
