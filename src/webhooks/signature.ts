import { createHmac } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The key of a Standard Webhooks secret (`whsec_` + base64 of 24 to 64
 * bytes), or null when it is not one. The message never holds the secret.
 */
export function secretKey(secret: string): Buffer | null {
  const encoded = secret.trim().startsWith(SECRET_PREFIX)
    ? secret.trim().slice(SECRET_PREFIX.length)
    : '';
  if (!BASE64.test(encoded)) return null;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= 24 && key.length <= 64 ? key : null;
}

/**
 * The `webhook-signature` header of the Standard Webhooks specification:
 * `v1,` + base64 of HMAC-SHA256 over `<id>.<timestamp>.<body>`, so a
 * receiver verifies it with any Standard Webhooks library.
 */
export function signatureHeader(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac('sha256', key)
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}
