import { WeakPasswordError } from '../errors.js';
import { commonPasswords } from './common-passwords.js';

export interface PasswordPolicy {
  /** For an account whose only factor is the password (NIST SP 800-63B-4: 15). */
  minLength: number;
  /** Once a second factor is enrolled (NIST: 8). */
  minLengthWithSecondFactor: number;
  maxLength: number;
}

export interface PasswordContext {
  email: string;
  hasSecondFactor?: boolean;
}

/** NFKC so that visually equal inputs hash equally whichever keyboard typed them. */
export const normalizePassword = (password: string): string => password.normalize('NFKC');

const codePoints = (text: string): number => [...text].length;

/**
 * NIST SP 800-63B-4 rules: length bounds (no silent truncation), no composition
 * rules, and a block list of breached passwords and the user's own email name.
 * Throws WeakPasswordError naming the rule; returns the normalized password.
 */
export function checkPassword(
  password: string,
  policy: PasswordPolicy,
  context: PasswordContext,
): string {
  const normalized = normalizePassword(password);
  const length = codePoints(normalized);
  const minLength = context.hasSecondFactor ? policy.minLengthWithSecondFactor : policy.minLength;
  if (length < minLength) {
    throw new WeakPasswordError('too_short', `Password must be at least ${minLength} characters.`);
  }
  if (length > policy.maxLength) {
    throw new WeakPasswordError(
      'too_long',
      `Password must be at most ${policy.maxLength} characters.`,
    );
  }
  const lowered = normalized.toLowerCase();
  if (commonPasswords().has(normalized) || commonPasswords().has(lowered)) {
    throw new WeakPasswordError(
      'common',
      'Password is in a list of commonly used or breached passwords.',
    );
  }
  const localPart = context.email.split('@')[0]?.toLowerCase() ?? '';
  if (localPart.length >= 3 && lowered.includes(localPart)) {
    throw new WeakPasswordError('contains_email', 'Password must not contain your email name.');
  }
  return normalized;
}
