import { createHmac } from 'node:crypto';

/**
 * HMAC-SHA-256 under the server key, base64url. For short secrets (a 6-digit
 * code) whose plain hash a stolen table would give up at once: without the
 * key, the digests say nothing. `purpose` keeps one use's digests from
 * answering for another's.
 */
export const keyedHash = (secretKey: Buffer, purpose: string, value: string): string =>
  createHmac('sha256', secretKey).update(`${purpose}\u0000${value}`, 'utf8').digest('base64url');
