import type { Acr } from '../../principal.js';

/**
 * How strongly a sign-in proved who the user is. `amr` lists the methods
 * (RFC 8176); `acr` is the level they reach, named after NIST SP 800-63B's
 * authenticator assurance levels:
 * - `aal2`: two different methods (a password and a one-time code, a magic
 *   link and a passkey, ...), or one passkey that verified the user itself
 *   (`hwk` + `user`: something you have, unlocked by something you know or are);
 * - `aal1`: anything else (a password alone, a magic link alone, a passkey
 *   without user verification).
 */
export type { Acr };

export interface Authentication {
  /** RFC 8176 method references, e.g. `["pwd","otp"]`. */
  readonly amr: readonly string[];
  readonly acr: Acr;
  /** When the user last proved who they are, epoch milliseconds. */
  readonly authTime: number;
}

/** Method values that are not a factor of their own: `user` qualifies an authenticator, `mfa` summarises. */
const QUALIFIERS = new Set(['user', 'mfa']);

export function acrOf(amr: readonly string[]): Acr {
  if (amr.includes('mfa')) return 'aal2';
  if (amr.includes('user') && (amr.includes('hwk') || amr.includes('swk'))) return 'aal2';
  const factors = new Set(amr.filter((method) => !QUALIFIERS.has(method)));
  return factors.size >= 2 ? 'aal2' : 'aal1';
}

/** The methods of two steps, each once, in the order they were used. */
export const combineAmr = (first: readonly string[], second: readonly string[]): string[] => [
  ...new Set([...first, ...second]),
];

export const isAcr = (value: unknown): value is Acr => value === 'aal1' || value === 'aal2';

/** `aal2` satisfies a demand for `aal1`; the reverse does not. */
export const acrSatisfies = (actual: Acr | undefined, required: Acr): boolean =>
  required === 'aal1' || actual === 'aal2';
