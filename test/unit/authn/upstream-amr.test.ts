import { describe, expect, it } from 'vitest';
import { isMultiFactor } from '../../../src/authn/federation/oidc-flow.js';

describe("trustUpstreamAmr: what counts as the provider's multi-factor sign-in", () => {
  it('is `mfa`, or two different factor methods', () => {
    expect(isMultiFactor(['mfa'])).toBe(true);
    expect(isMultiFactor(['pwd', 'otp'])).toBe(true);
    expect(isMultiFactor(['hwk', 'pin'])).toBe(true);
  });

  it('is not one factor, however strong, nor one method named twice or unknown words', () => {
    for (const amr of [
      [],
      ['otp'],
      ['sms'],
      ['hwk'],
      ['swk'],
      ['pwd'],
      ['otp', 'otp'],
      ['pwd', 'x-custom'],
      ['fed'],
    ])
      expect(isMultiFactor(amr), JSON.stringify(amr)).toBe(false);
  });
});
