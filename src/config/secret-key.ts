import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Settings } from './schema.js';

const KEY_BYTES = 32;

/** A 32-byte key written as 64 hex digits or base64url; null when it is not one. */
export function decodeSecretKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const bytes = Buffer.from(trimmed, 'base64url');
  return bytes.length === KEY_BYTES ? bytes : null;
}

export interface ResolvedSecretKey {
  key: Buffer;
  /** True when the key was generated into the data dir (development only). */
  generated: boolean;
}

/**
 * The server secret encrypts signing keys at rest and keys HMACs. Production
 * must provide it; development generates one into the data dir so restarts keep it.
 */
export function resolveSecretKey(settings: Settings): ResolvedSecretKey {
  if (settings.secretKey !== undefined) {
    const key = decodeSecretKey(settings.secretKey);
    if (!key)
      throw new ConfigError(
        'secretKey',
        'GATEHOUSE_SECRET_KEY must be 32 bytes (64 hex chars or base64url)',
      );
    return { key, generated: false };
  }
  if (settings.nodeEnv === 'production') {
    throw new ConfigError('secretKey', 'GATEHOUSE_SECRET_KEY is required when NODE_ENV=production');
  }
  const path = join(settings.dataDir, 'secret.key');
  if (existsSync(path)) {
    const key = decodeSecretKey(readFileSync(path, 'utf8'));
    if (!key) throw new ConfigError('secretKey', `${path} does not hold a 32-byte key`);
    return { key, generated: false };
  }
  mkdirSync(settings.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  writeFileSync(path, `${key.toString('base64url')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { key, generated: true };
}
