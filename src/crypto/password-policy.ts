import { WeakPasswordError } from '../errors.js';
import { commonPasswords } from './common-passwords.js';

export interface PasswordPolicy {
  /** For an account whose only factor is the password (NIST SP 800-63B-4: 15). */
  minLength: number;
  maxLength: number;
  /** Words of this service (its name, the company) that no password may contain, any case. */
  contextWords: readonly string[];
}

export interface PasswordContext {
  email: string;
}

/** NFKC so that visually equal inputs hash equally whichever keyboard typed them. */
export const normalizePassword = (password: string): string => password.normalize('NFKC');

const codePoints = (text: string): number => [...text].length;

const lowered = (text: string): string => normalizePassword(text).toLowerCase();

/**
 * NIST SP 800-63B-4 rules: length bounds (no silent truncation), no composition
 * rules, and a block list of breached passwords, context words of the service
 * and the user's own email name. Throws WeakPasswordError naming the rule;
 * returns the normalized password.
 */
export function checkPassword(
  password: string,
  policy: PasswordPolicy,
  context: PasswordContext,
): string {
  const normalized = normalizePassword(password);
  const length = codePoints(normalized);
  if (length < policy.minLength) {
    throw new WeakPasswordError(
      'too_short',
      `Password must be at least ${policy.minLength} characters.`,
    );
  }
  if (length > policy.maxLength) {
    throw new WeakPasswordError(
      'too_long',
      `Password must be at most ${policy.maxLength} characters.`,
    );
  }
  const folded = normalized.toLowerCase();
  if (commonPasswords().has(normalized) || commonPasswords().has(folded)) {
    throw new WeakPasswordError(
      'common',
      'Password is in a list of commonly used or breached passwords.',
    );
  }
  const word = policy.contextWords.map(lowered).find((w) => w !== '' && folded.includes(w));
  if (word !== undefined) {
    throw new WeakPasswordError('context', `Password must not contain '${word}'.`);
  }
  const localPart = context.email.split('@')[0]?.toLowerCase() ?? '';
  if (localPart.length >= 3 && folded.includes(localPart)) {
    throw new WeakPasswordError('contains_email', 'Password must not contain your email name.');
  }
  return normalized;
}
