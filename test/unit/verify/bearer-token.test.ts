import { bearerTokenFrom } from '@gatehouse/verify';
import { describe, expect, it } from 'vitest';

describe('bearerTokenFrom (RFC 6750 §2.1)', () => {
  it('takes the usual shape on the fast path and odd ones through the full parse', () => {
    expect(bearerTokenFrom('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerTokenFrom('bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerTokenFrom('Bearer   abc.def.ghi  ')).toBe('abc.def.ghi');
    expect(bearerTokenFrom(' Bearer abc')).toBe('abc');
    expect(bearerTokenFrom('Bearer')).toBe('');
    expect(bearerTokenFrom('Bearer a b')).toBe('a b');
    expect(bearerTokenFrom('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerTokenFrom('Bearerabc')).toBeUndefined();
    expect(bearerTokenFrom(undefined)).toBeUndefined();
  });
});
