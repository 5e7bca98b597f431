import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness, base64url (43 chars). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/**
 * SHA-256 is the right hash for bearer secrets we generate ourselves: they carry
 * 256 bits of entropy, so a slow hash would add nothing but latency; a stolen
 * table of digests still yields no usable secret. One call, not a Hash object
 * per digest: every request with a cookie hashes it.
 */
export const sha256 = (value: string): string => hash('sha256', value, 'base64url');

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
