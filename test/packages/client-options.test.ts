import type { ClientOptions } from '@gatehouse/client';
import { describe, expect, it } from 'vitest';
import { apiUrl, resolveOptions } from '../../packages/client/src/options.js';

/** A client misconfigured by its programmer fails at createClient, with a TypeError naming the option. */
describe('@gatehouse/client options', () => {
  it('resolves the base URL and the API origins', () => {
    const options = resolveOptions({
      baseUrl: 'https://id.example.com/gatehouse?x=1#y',
      mode: 'token',
      apiOrigins: ['https://api.example.com/', 'http://localhost:3000'],
    });
    expect(options.base.href).toBe('https://id.example.com/gatehouse/');
    expect([...options.apiOrigins]).toEqual([
      'https://id.example.com',
      'https://api.example.com',
      'http://localhost:3000',
    ]);
    expect(apiUrl(options, '/auth/me')).toBe('https://id.example.com/gatehouse/auth/me');
  });

  it.each<[string, Partial<ClientOptions>, RegExp]>([
    ['an unknown mode', { mode: 'session' as ClientOptions['mode'] }, /^mode:/],
    ['a relative base URL without a page', { baseUrl: '/' }, /^baseUrl:/],
    ['a base URL that is not http(s)', { baseUrl: 'ftp://id.example.com' }, /^baseUrl:/],
    ['an API origin with a path', { apiOrigins: ['https://api.example.com/v1'] }, /^apiOrigins:/],
    ['an API origin that is not a URL', { apiOrigins: ['api.example.com'] }, /^apiOrigins:/],
  ])('refuses %s', (_, override, message) => {
    const options = { baseUrl: 'https://id.example.com', mode: 'cookie' as const, ...override };
    expect(() => resolveOptions(options)).toThrow(TypeError);
    expect(() => resolveOptions(options)).toThrow(message);
  });
});
