import { type Algorithm, hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { withHashSlot } from './hash-limiter.js';

export interface Argon2Params {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's argon2id baseline: m=19 MiB, t=2, p=1. */
export const owaspArgon2Params: Argon2Params = { memoryKiB: 19456, timeCost: 2, parallelism: 1 };

// `Algorithm` is an ambient const enum, unreadable under isolatedModules; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/** Hashes on libuv's thread pool, so the event loop keeps serving while it works. */
export const hashPassword = (password: string, params: Argon2Params): Promise<string> =>
  withHashSlot(() =>
    hash(password, {
      algorithm: ARGON2ID,
      memoryCost: params.memoryKiB,
      timeCost: params.timeCost,
      parallelism: params.parallelism,
    }),
  );

const isBcrypt = (encoded: string): boolean => /^\$2[aby]\$\d{2}\$/.test(encoded);
const isArgon2id = (encoded: string): boolean => encoded.startsWith('$argon2id$');

/**
 * bcryptjs is pure JavaScript; its async compare yields between rounds, so an
 * imported user's one bcrypt login does not stall the loop before the rehash.
 * False for a wrong password and for a hash in a format we do not accept. */
export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  if (isArgon2id(encoded)) return withHashSlot(() => verify(encoded, password).catch(() => false));
  if (isBcrypt(encoded))
    return withHashSlot(() => bcrypt.compare(password, encoded).catch(() => false));
  return false;
}

function argon2Params(encoded: string): Argon2Params | null {
  const match = /\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(encoded);
  if (!match) return null;
  return { memoryKiB: Number(match[1]), timeCost: Number(match[2]), parallelism: Number(match[3]) };
}

/** True for bcrypt (imported users) and for argon2id hashed with weaker parameters than today's. */
export function needsRehash(encoded: string, params: Argon2Params): boolean {
  if (!isArgon2id(encoded)) return true;
  const current = argon2Params(encoded);
  if (!current) return true;
  return (
    current.memoryKiB < params.memoryKiB ||
    current.timeCost < params.timeCost ||
    current.parallelism !== params.parallelism
  );
}
