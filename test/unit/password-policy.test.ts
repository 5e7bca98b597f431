import { describe, expect, it } from 'vitest';
import { commonPasswords } from '../../src/crypto/common-passwords.js';
import { checkPassword, type PasswordPolicy } from '../../src/crypto/password-policy.js';
import { WeakPasswordError } from '../../src/errors.js';

const policy: PasswordPolicy = { minLength: 15, maxLength: 256, contextWords: ['gatehouse'] };
const email = 'jane.doe@example.com';

const ruleOf = (password: string, withPolicy: PasswordPolicy = policy): string | null => {
  try {
    checkPassword(password, withPolicy, { email });
    return null;
  } catch (error) {
    if (error instanceof WeakPasswordError) return error.rule;
    throw error;
  }
};

describe('password policy (NIST SP 800-63B-4)', () => {
  it('ships at least 100,000 breached passwords', () => {
    expect(commonPasswords().size).toBeGreaterThanOrEqual(100_000);
    expect(commonPasswords().has('123456')).toBe(true);
  });

  it('needs 15 characters', () => {
    expect(ruleOf('fourteen chars')).toBe('too_short');
    expect(ruleOf('fifteen chars!!')).toBeNull();
  });

  it('counts characters, not bytes, and does not truncate', () => {
    expect(ruleOf('😀'.repeat(15))).toBeNull();
    expect(ruleOf('x'.repeat(256))).toBeNull();
    expect(ruleOf('x'.repeat(257))).toBe('too_long');
  });

  it('needs no composition (all lowercase letters are fine)', () => {
    expect(ruleOf('quietly humming river stones')).toBeNull();
  });

  it('refuses common passwords, whatever their case', () => {
    const common = [...commonPasswords()].find((p) => p.length >= 15 && /^[a-z]+$/.test(p));
    expect(common).toBeDefined();
    expect(ruleOf(common as string)).toBe('common');
    expect(ruleOf((common as string).toUpperCase())).toBe('common');
  });

  it('refuses context words of the service, whatever their case or width', () => {
    expect(ruleOf('gatehousegatehouse')).toBe('context');
    expect(ruleOf('my GATEHOUSE passphrase')).toBe('context');
    expect(ruleOf('ｇａｔｅｈｏｕｓｅ is my castle')).toBe('context');
    const acme = { ...policy, contextWords: ['Acme Corp'] };
    expect(ruleOf('the acme corp password', acme)).toBe('context');
    expect(ruleOf('gatehousegatehouse', acme)).toBeNull();
  });

  it('refuses a password containing the email local part', () => {
    expect(ruleOf('my name is JANE.DOE, hello')).toBe('contains_email');
  });

  it('normalizes with NFKC (fullwidth letters equal their ASCII forms)', () => {
    const fullwidth = 'ｑｕｉｅｔｌｙ ｈｕｍｍｉｎｇ ｒｉｖｅｒ';
    expect(checkPassword(fullwidth, policy, { email })).toBe('quietly humming river');
  });
});
