import { type Algorithm, hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { withHashSlot } from './hash-limiter.js';
import { parseImportedHash, verifyImportedHash } from './imported-hashes.js';

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

/** bcrypt's modular crypt form: version, cost 04-31, 22 salt + 31 hash characters. */
const isBcrypt = (encoded: string): boolean =>
  /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/.test(encoded);
const isArgon2id = (encoded: string): boolean => encoded.startsWith('$argon2id$');
/**
 * The form Gatehouse hashes in (of the NFKC password). An imported argon2id
 * (Keycloak's) cannot be told apart from it and counts as one.
 */
export const isGatehouseHash = isArgon2id;
/**
 * Any argon2 variant in PHC form, bounded (256 MiB, 16 passes, 8 lanes, memory × passes ≤ 1 GiB):
 * imported rows carry their own parameters, and one sign-in must not cost minutes or gigabytes.
 */
function isArgon2(encoded: string): boolean {
  const match =
    /^\$argon2(?:id|i|d)\$(?:v=(?:16|19)\$)?m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{16,}$/.exec(
      encoded,
    );
  if (!match) return false;
  const [memoryKiB, timeCost, parallelism] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return (
    memoryKiB <= 256 * 1024 &&
    timeCost >= 1 &&
    timeCost <= 16 &&
    memoryKiB * timeCost <= 1024 * 1024 &&
    parallelism >= 1 &&
    parallelism <= 8
  );
}

/**
 * True for every form verifyPassword can check: argon2 (i, d, id), bcrypt,
 * scrypt, Firebase's scrypt and PBKDF2 (see imported-hashes.ts). Import
 * refuses any other value, so a malformed row is an error, not a lockout.
 */
export const isSupportedPasswordHash = (encoded: string): boolean =>
  isArgon2(encoded) || isBcrypt(encoded) || parseImportedHash(encoded) !== null;

/**
 * Every form runs in a hash slot and off the event loop: argon2 on libuv's
 * pool, scrypt and PBKDF2 through node:crypto's async forms, bcryptjs's async
 * compare yielding between rounds. False for a wrong password and for a hash
 * in a form we do not accept (a malformed hash verifies no password at all).
 */
export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  if (isArgon2(encoded)) return withHashSlot(() => verify(encoded, password).catch(() => false));
  if (isBcrypt(encoded))
    return withHashSlot(() => bcrypt.compare(password, encoded).catch(() => false));
  const imported = parseImportedHash(encoded);
  if (imported)
    return withHashSlot(() => verifyImportedHash(imported, password).catch(() => false));
  return false;
}

function argon2Params(encoded: string): Argon2Params | null {
  const match = /\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(encoded);
  if (!match) return null;
  return { memoryKiB: Number(match[1]), timeCost: Number(match[2]), parallelism: Number(match[3]) };
}

/** True for every other form (imported users) and for argon2id hashed with weaker parameters than today's. */
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
