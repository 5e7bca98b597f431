import { describe, expect, it } from 'vitest';
import { newRecoveryCode, recoveryCodeHash } from '../../../src/authn/mfa/recovery-code-format.js';

describe('recovery codes', () => {
  it('are 16 Crockford base32 symbols in groups of four, and differ', () => {
    const codes = Array.from({ length: 200 }, newRecoveryCode);
    for (const code of codes)
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('hash the same however they are typed, and look-alikes read as digits', () => {
    const code = '0a1b-2c3d-4e5f-6g7h';
    const hash = recoveryCodeHash(code);
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const typed of [
      '0A1B2C3D4E5F6G7H',
      ' 0a1b 2c3d 4e5f 6g7h ',
      'oaIb-2c3d-4e5f-6g7h',
      'OaLb2c3d4e5f6g7h',
    ])
      expect(recoveryCodeHash(typed)).toBe(hash);
    expect(recoveryCodeHash('0a1b-2c3d-4e5f-6g7j')).not.toBe(hash);
  });

  it('refuse what cannot be a code', () => {
    for (const input of [
      '',
      '0a1b-2c3d-4e5f',
      '0a1b-2c3d-4e5f-6g7h-8',
      '0a1b-2c3d-4e5f-6g7u',
      '🙂'.repeat(16),
    ])
      expect(recoveryCodeHash(input)).toBeNull();
  });
});
