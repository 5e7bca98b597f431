import { createCipheriv, pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes brought in from other systems, kept as they were computed
 * and verified with node:crypto's primitives until the next sign-in rehashes
 * them to argon2id. Each is stored in a self-describing, PHC-like form
 * (base64 fields without padding):
 *
 *   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>
 *   $firebase-scrypt$ln=<mem cost>,r=<rounds>$<signer key>$<salt separator>$<salt>$<hash>
 *   $pbkdf2-sha256$i=<iterations>$<salt>$<hash>     (also -sha1 and -sha512)
 *
 * Parameters are bounded: an imported row must not make one sign-in cost
 * gigabytes or minutes (a few such attempts would hold every hash slot).
 */

const B64 = '[A-Za-z0-9+/]+';
const MIN_HASH_BYTES = 16;
const MAX_HASH_BYTES = 128;
/** What one sign-in may cost, about a second of one core: any real deployment's parameters fit. */
const MAX_SCRYPT_MEMORY = 128 * 1024 * 1024;
const MAX_SCRYPT_WORK = 2 ** 21; // N·r·p
const MAX_PBKDF2_BLOCK_ITERATIONS = 2_000_000; // iterations × output blocks

export type Pbkdf2Digest = 'sha1' | 'sha256' | 'sha512';
const DIGEST_BYTES: Readonly<Record<Pbkdf2Digest, number>> = { sha1: 20, sha256: 32, sha512: 64 };

export type ImportedHash =
  | { kind: 'scrypt'; log2N: number; r: number; p: number; salt: Buffer; hash: Buffer }
  | {
      kind: 'firebase-scrypt';
      memCost: number;
      rounds: number;
      signerKey: Buffer;
      saltSeparator: Buffer;
      salt: Buffer;
      hash: Buffer;
    }
  | { kind: 'pbkdf2'; digest: Pbkdf2Digest; iterations: number; salt: Buffer; hash: Buffer };

const fromB64 = (text: string): Buffer => Buffer.from(text, 'base64');
const toB64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

const hashLengthOk = (hash: Buffer) =>
  hash.length >= MIN_HASH_BYTES && hash.length <= MAX_HASH_BYTES;
const inRange = (value: number, low: number, high: number) =>
  Number.isInteger(value) && value >= low && value <= high;
const scryptMemory = (log2N: number, r: number) => 128 * 2 ** log2N * r;

const SCRYPT = new RegExp(
  `^\\$scrypt\\$ln=(\\d{1,2}),r=(\\d{1,2}),p=(\\d{1,2})\\$(${B64})\\$(${B64})$`,
);
const FIREBASE = new RegExp(
  `^\\$firebase-scrypt\\$ln=(\\d{1,2}),r=(\\d{1,2})\\$(${B64})\\$(${B64})\\$(${B64})\\$(${B64})$`,
);
const PBKDF2 = new RegExp(`^\\$pbkdf2-(sha1|sha256|sha512)\\$i=(\\d{1,8})\\$(${B64})\\$(${B64})$`);

/** The parsed hash, or null for anything malformed or out of bounds (which then verifies nothing). */
export function parseImportedHash(encoded: string): ImportedHash | null {
  let m = SCRYPT.exec(encoded);
  if (m) {
    const [log2N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const parsed = {
      kind: 'scrypt',
      log2N,
      r,
      p,
      salt: fromB64(m[4] ?? ''),
      hash: fromB64(m[5] ?? ''),
    } as const;
    const ok =
      inRange(log2N, 1, 20) &&
      inRange(r, 1, 32) &&
      inRange(p, 1, 16) &&
      scryptMemory(log2N, r) <= MAX_SCRYPT_MEMORY &&
      2 ** log2N * r * p <= MAX_SCRYPT_WORK &&
      hashLengthOk(parsed.hash);
    return ok ? parsed : null;
  }
  m = FIREBASE.exec(encoded);
  if (m) {
    const parsed = {
      kind: 'firebase-scrypt',
      memCost: Number(m[1]),
      rounds: Number(m[2]),
      signerKey: fromB64(m[3] ?? ''),
      saltSeparator: fromB64(m[4] ?? ''),
      salt: fromB64(m[5] ?? ''),
      hash: fromB64(m[6] ?? ''),
    } as const;
    const ok =
      inRange(parsed.memCost, 1, 20) &&
      inRange(parsed.rounds, 1, 32) &&
      scryptMemory(parsed.memCost, parsed.rounds) <= MAX_SCRYPT_MEMORY &&
      2 ** parsed.memCost * parsed.rounds <= MAX_SCRYPT_WORK &&
      hashLengthOk(parsed.hash) &&
      // AES-CTR keeps the length: the hash is the signer key encrypted.
      parsed.signerKey.length === parsed.hash.length;
    return ok ? parsed : null;
  }
  m = PBKDF2.exec(encoded);
  if (m) {
    const parsed = {
      kind: 'pbkdf2',
      digest: m[1] as Pbkdf2Digest,
      iterations: Number(m[2]),
      salt: fromB64(m[3] ?? ''),
      hash: fromB64(m[4] ?? ''),
    } as const;
    const blocks = Math.ceil(parsed.hash.length / DIGEST_BYTES[parsed.digest]);
    const ok =
      hashLengthOk(parsed.hash) &&
      inRange(parsed.iterations, 1, Math.floor(MAX_PBKDF2_BLOCK_ITERATIONS / blocks));
    return ok ? parsed : null;
  }
  return null;
}

const scryptAsync = (
  password: Buffer,
  salt: Buffer,
  length: number,
  log2N: number,
  r: number,
  p: number,
) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(
      password,
      salt,
      length,
      { N: 2 ** log2N, r, p, maxmem: scryptMemory(log2N, r) * (p + 1) + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );

const pbkdf2Async = (password: Buffer, hash: Extract<ImportedHash, { kind: 'pbkdf2' }>) =>
  new Promise<Buffer>((resolve, reject) =>
    pbkdf2(password, hash.salt, hash.iterations, hash.hash.length, hash.digest, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );

/**
 * Firebase's modified scrypt (github.com/firebase/scrypt): the scrypt key of
 * the password under salt + separator keys AES-256-CTR (zero IV), which
 * encrypts the project's signer key; that ciphertext is the stored hash.
 */
async function firebaseScrypt(
  password: Buffer,
  hash: Extract<ImportedHash, { kind: 'firebase-scrypt' }>,
): Promise<Buffer> {
  const salt = Buffer.concat([hash.salt, hash.saltSeparator]);
  const key = await scryptAsync(password, salt, 32, hash.memCost, hash.rounds, 1);
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16, 0));
  return Buffer.concat([cipher.update(hash.signerKey), cipher.final()]);
}

/** Derives with the hash's own parameters (async: on libuv's pool) and compares in constant time. */
export async function verifyImportedHash(hash: ImportedHash, password: string): Promise<boolean> {
  const candidate = Buffer.from(password, 'utf8');
  let derived: Buffer;
  if (hash.kind === 'scrypt')
    derived = await scryptAsync(candidate, hash.salt, hash.hash.length, hash.log2N, hash.r, hash.p);
  else if (hash.kind === 'firebase-scrypt') derived = await firebaseScrypt(candidate, hash);
  else derived = await pbkdf2Async(candidate, hash);
  return derived.length === hash.hash.length && timingSafeEqual(derived, hash.hash);
}

/** The stored form of a hash (see the top of this file). */
export function encodeImportedHash(hash: ImportedHash): string {
  if (hash.kind === 'scrypt')
    return `$scrypt$ln=${hash.log2N},r=${hash.r},p=${hash.p}$${toB64(hash.salt)}$${toB64(hash.hash)}`;
  if (hash.kind === 'firebase-scrypt')
    return `$firebase-scrypt$ln=${hash.memCost},r=${hash.rounds}$${[
      hash.signerKey,
      hash.saltSeparator,
      hash.salt,
      hash.hash,
    ]
      .map(toB64)
      .join('$')}`;
  return `$pbkdf2-${hash.digest}$i=${hash.iterations}$${toB64(hash.salt)}$${toB64(hash.hash)}`;
}
