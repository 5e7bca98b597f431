import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets we must read back (private signing JWKs), sealed
 * under the server secret. Format: `v1.<iv>.<tag>.<ciphertext>`, base64url.
 * The `aad` binds a box to its purpose and owner (e.g. `signing-key:<kid>`),
 * so a box copied to another row does not open.
 */
const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function seal(secretKey: Buffer, plaintext: string, aad: string): string {
  checkKey(secretKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secretKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));
  return [VERSION, ...parts].join('.');
}

/** Throws when the key, the aad or any byte of the box is wrong. */
export function open(secretKey: Buffer, box: string, aad: string): string {
  checkKey(secretKey);
  const [version, iv, tag, ciphertext, ...rest] = box.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) {
    throw new Error('secret box: unknown format');
  }
  if (rest.length > 0) throw new Error('secret box: unknown format');
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
    throw new Error('secret box: unknown format');
  }
  const decipher = createDecipheriv('aes-256-gcm', secretKey, ivBytes, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tagBytes);
  const plaintext = Buffer.concat([
    decipher.update(Buffer.from(ciphertext, 'base64url')),
    decipher.final(),
  ]);
  return plaintext.toString('utf8');
}

function checkKey(secretKey: Buffer): void {
  if (!Buffer.isBuffer(secretKey) || secretKey.length !== KEY_BYTES) {
    throw new TypeError(`secretKey must be a ${KEY_BYTES}-byte Buffer`);
  }
}
