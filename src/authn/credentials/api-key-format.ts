import { createHash, randomBytes } from 'node:crypto';

/**
 * `gth_<env>_<id>_<secret><checksum>`: a recognisable prefix secret scanners
 * can match, the key's public id (for lookup, listing and revocation), 256
 * random bits, and 8 hex of SHA-256 over the rest so that a typo or a
 * truncated paste is refused without touching the database.
 */
const PATTERN = /^gth_(live|test)_([0-9a-f]{16})_([0-9a-f]{64})([0-9a-f]{8})$/;

export interface ParsedApiKey {
  env: 'live' | 'test';
  id: string;
  secret: string;
}

const checksum = (body: string): string =>
  createHash('sha256').update(body).digest('hex').slice(0, 8);

export function formatApiKey(env: 'live' | 'test'): { key: string; id: string; secret: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const body = `gth_${env}_${id}_${secret}`;
  return { key: body + checksum(body), id, secret };
}

/** Null for anything that is not a well-formed key with a matching checksum. */
export function parseApiKey(candidate: string): ParsedApiKey | null {
  const match = PATTERN.exec(candidate);
  if (!match) return null;
  const [, env, id, secret, sum] = match as unknown as [
    string,
    'live' | 'test',
    string,
    string,
    string,
  ];
  return checksum(`gth_${env}_${id}_${secret}`) === sum ? { env, id, secret } : null;
}

export const looksLikeApiKey = (candidate: string): boolean => candidate.startsWith('gth_');
