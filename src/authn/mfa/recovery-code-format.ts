import { randomInt } from 'node:crypto';
import { sha256 } from '../../crypto/random.js';

/** Crockford's base32, lower case: no i, l, o or u to misread. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 16 symbols of 5 bits: 80 bits of randomness per code. */
const SYMBOLS = 16;
const GROUP = 4;

/** A new code, e.g. `7k2m-q9xd-4hvr-0c3e`, shown once. */
export function newRecoveryCode(): string {
  const symbols = Array.from({ length: SYMBOLS }, () => ALPHABET[randomInt(ALPHABET.length)]);
  const groups: string[] = [];
  for (let i = 0; i < SYMBOLS; i += GROUP) groups.push(symbols.slice(i, i + GROUP).join(''));
  return groups.join('-');
}

/**
 * What is stored of a code: its SHA-256, over the code as typed with case,
 * spaces and dashes ignored (and Crockford's look-alikes read as digits).
 * A fast hash is enough: with 80 random bits a code cannot be guessed from
 * its digest, unlike a password, so argon2 would only cost time. Null for
 * input that cannot be a code.
 */
export function recoveryCodeHash(input: string): string | null {
  const code = input.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
  if (code.length !== SYMBOLS || [...code].some((c) => !ALPHABET.includes(c))) return null;
  return sha256(`recovery-code:${code}`);
}
