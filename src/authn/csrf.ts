import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../crypto/random.js';

/**
 * Synchronizer token derived, not stored: HMAC-SHA256 of the session id under
 * the server secret. It is bound to one session, unguessable without the
 * secret, and survives restarts and instances without a lookup.
 */
export const csrfTokenFor = (secretKey: Buffer, sessionId: string): string =>
  createHmac('sha256', secretKey).update(`csrf:${sessionId}`).digest('base64url');

export const isValidCsrfToken = (
  secretKey: Buffer,
  sessionId: string,
  presented: string,
): boolean => constantTimeEqual(csrfTokenFor(secretKey, sessionId), presented);
