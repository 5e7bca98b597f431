import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load.js';

const trustedOrigins = (value: string) =>
  loadSettings({ env: { GATEHOUSE_TRUSTED_ORIGINS: value } }).trustedOrigins;

describe('trustedOrigins', () => {
  it('reads a comma-separated GATEHOUSE_TRUSTED_ORIGINS and a JSON list', () => {
    expect(trustedOrigins('https://app.example, http://localhost:5173')).toEqual([
      'https://app.example',
      'http://localhost:5173',
    ]);
    expect(loadSettings({ env: {} }).trustedOrigins).toEqual([]);
    const flags = { trustedOrigins: ['https://app.example:8443'] };
    expect(loadSettings({ env: {}, flags }).trustedOrigins).toEqual(['https://app.example:8443']);
  });

  it.each([
    ['https://app.example/', /exact origin \(https:\/\/app\.example\)/],
    ['https://app.example/path', /exact origin/],
    ['https://App.example', /exact origin \(https:\/\/app\.example\)/],
    ['https://app.example:443', /exact origin \(https:\/\/app\.example\)/],
    ['https://user@app.example', /exact origin/],
    ['https://*.app.example', /no wildcards/],
    ['*', /no wildcards/],
    ['null', /an http\(s\) origin/],
    ['app.example', /an http\(s\) origin/],
    ['ftp://app.example', /an http\(s\) origin/],
  ])('refuses %s at start-up, naming the setting', (value, reason) => {
    expect(() => trustedOrigins(`https://ok.example,${value}`)).toThrow(/^trustedOrigins\.1: /);
    expect(() => trustedOrigins(value)).toThrow(reason);
  });
});
