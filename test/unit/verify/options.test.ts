import { createVerifier, type VerifierOptions } from '@gatehouse/verify';
import { describe, expect, it } from 'vitest';

const BASE = { issuer: 'https://gatehouse.test', audience: 'api://orders', jwks: { keys: [] } };

describe('createVerifier options (misconfiguration is a TypeError, at creation)', () => {
  it.each<[string, Partial<VerifierOptions>]>([
    ['an empty issuer', { issuer: '' }],
    ['an empty audience', { audience: '' }],
    ['a clock tolerance above 30 s', { clockToleranceSeconds: 31 }],
    ['a negative clock tolerance', { clockToleranceSeconds: -1 }],
    ['HS256', { algorithms: ['HS256'] }],
    ['none', { algorithms: ['none' as 'EdDSA'] }],
    ['no algorithm at all', { algorithms: [] }],
    ['a negative cache size', { cache: { maxEntries: -1 } }],
    ['a zero token age bound', { maxTokenAgeSeconds: 0 }],
    ['a fractional token age bound', { maxTokenAgeSeconds: 1.5 }],
  ])('refuses %s', (_label, override) => {
    expect(() => createVerifier({ ...BASE, ...override } as VerifierOptions)).toThrow(TypeError);
  });

  it('refuses both jwksUrl and jwks', () => {
    const options = {
      ...BASE,
      jwksUrl: 'https://gatehouse.test/jwks',
    } as unknown as VerifierOptions;
    expect(() => createVerifier(options)).toThrow(TypeError);
  });

  it('accepts the 30 s maximum tolerance and the defaults', () => {
    expect(() => createVerifier({ ...BASE, clockToleranceSeconds: 30 })).not.toThrow();
    expect(() => createVerifier(BASE)).not.toThrow();
  });
});
