import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from '../../../src/crypto/secret-box.js';

const KEY = randomBytes(32);
const PLAINTEXT = '{"kty":"OKP","crv":"Ed25519","d":"secret"}';
const AAD = 'signing-key:abc';

/** Flips one bit of the given segment's decoded bytes. */
function flip(box: string, segment: 1 | 2 | 3): string {
  const parts = box.split('.');
  const bytes = Buffer.from(parts[segment] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[segment] = bytes.toString('base64url');
  return parts.join('.');
}

describe('secret box (AES-256-GCM)', () => {
  it('round-trips, in the v1 format, with a fresh IV each time', () => {
    const box = seal(KEY, PLAINTEXT, AAD);
    expect(box).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(box).not.toContain('secret');
    expect(open(KEY, box, AAD)).toBe(PLAINTEXT);
    expect(seal(KEY, PLAINTEXT, AAD)).not.toBe(box);
  });

  it('throws with the wrong key', () => {
    expect(() => open(randomBytes(32), seal(KEY, PLAINTEXT, AAD), AAD)).toThrow();
  });

  it('throws with the wrong aad', () => {
    expect(() => open(KEY, seal(KEY, PLAINTEXT, AAD), 'signing-key:other')).toThrow();
  });

  it.each([1, 2, 3] as const)('throws when segment %i is tampered with', (segment) => {
    expect(() => open(KEY, flip(seal(KEY, PLAINTEXT, AAD), segment), AAD)).toThrow();
  });

  it('throws on an unknown version or shape', () => {
    const box = seal(KEY, PLAINTEXT, AAD);
    expect(() => open(KEY, box.replace(/^v1/, 'v2'), AAD)).toThrow(/format/);
    expect(() => open(KEY, `${box}.extra`, AAD)).toThrow(/format/);
    expect(() => open(KEY, 'v1.a.b', AAD)).toThrow(/format/);
  });

  it('refuses a key that is not 32 bytes (programmer misuse)', () => {
    expect(() => seal(randomBytes(16), PLAINTEXT, AAD)).toThrow(TypeError);
  });
});
