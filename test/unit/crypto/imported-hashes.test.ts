import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it } from 'vitest';
import { setHashConcurrency } from '../../../src/crypto/hash-limiter.js';
import { encodeImportedHash } from '../../../src/crypto/imported-hashes.js';
import {
  isSupportedPasswordHash,
  needsRehash,
  owaspArgon2Params,
  verifyPassword,
} from '../../../src/crypto/password-hash.js';
import { RateLimitedError } from '../../../src/errors.js';
import { firebaseSample } from '../../helpers/import-fixtures.js';

const fb = (hash = firebaseSample.hash, salt = firebaseSample.salt) =>
  encodeImportedHash({
    kind: 'firebase-scrypt',
    memCost: firebaseSample.memCost,
    rounds: firebaseSample.rounds,
    signerKey: Buffer.from(firebaseSample.signerKey, 'base64'),
    saltSeparator: Buffer.from(firebaseSample.saltSeparator, 'base64'),
    salt: Buffer.from(salt, 'base64'),
    hash: Buffer.from(hash, 'base64'),
  });

const password = 'correct horse battery staple';
const salt = randomBytes(16);

async function everyForm(): Promise<Array<[string, string, string]>> {
  return [
    ['firebase-scrypt (the sample of github.com/firebase/scrypt)', fb(), firebaseSample.password],
    [
      'scrypt',
      encodeImportedHash({
        kind: 'scrypt',
        log2N: 10,
        r: 8,
        p: 1,
        salt,
        hash: scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 }),
      }),
      password,
    ],
    ...(['sha1', 'sha256', 'sha512'] as const).map((digest): [string, string, string] => [
      `pbkdf2-${digest}`,
      encodeImportedHash({
        kind: 'pbkdf2',
        digest,
        iterations: 1000,
        salt,
        hash: pbkdf2Sync(password, salt, 1000, 32, digest),
      }),
      password,
    ]),
    [
      'argon2i',
      await argon2Hash(password, { algorithm: 1, memoryCost: 1024, timeCost: 1 }),
      password,
    ],
    [
      'argon2d',
      await argon2Hash(password, { algorithm: 0, memoryCost: 1024, timeCost: 1 }),
      password,
    ],
    ['bcrypt $2a$', bcrypt.hashSync(password, 4).replace('$2b$', '$2a$'), password],
    ['bcrypt $2y$', bcrypt.hashSync(password, 4).replace('$2b$', '$2y$'), password],
  ];
}

describe('imported password hashes', () => {
  afterEach(() => setHashConcurrency(Math.max(1, availableParallelism() - 1)));

  it('each form verifies its password, refuses any other, and asks for an argon2id rehash', async () => {
    for (const [name, encoded, right] of await everyForm()) {
      expect(isSupportedPasswordHash(encoded), name).toBe(true);
      expect(await verifyPassword(encoded, right), name).toBe(true);
      expect(await verifyPassword(encoded, `${right}!`), name).toBe(false);
      expect(await verifyPassword(encoded, ''), name).toBe(false);
      expect(needsRehash(encoded, owaspArgon2Params), name).toBe(true);
    }
  });

  it("Firebase's sample: one changed byte of the hash, salt or separator verifies nothing", async () => {
    const hash = Buffer.from(firebaseSample.hash, 'base64');
    hash[5] = (hash[5] ?? 0) ^ 1;
    expect(await verifyPassword(fb(hash.toString('base64')), firebaseSample.password)).toBe(false);
    expect(await verifyPassword(fb(undefined, 'AAAAAAAAAAAAAA=='), firebaseSample.password)).toBe(
      false,
    );
  });

  it('malformed, truncated or out-of-bounds hashes are not supported and verify no password', async () => {
    const zeros = 'A'.repeat(43);
    const malformed = [
      '',
      'plain text',
      '$2b$10$short',
      `$2b$03$${'a'.repeat(53)}`,
      '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$',
      `$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0$${zeros}`,
      `$scrypt$ln=10,r=8,p=1$c2FsdA$AAAA`,
      `$scrypt$ln=21,r=8,p=1$c2FsdA$${zeros}`,
      `$scrypt$ln=10,r=8,p=1$$${zeros}`,
      `$pbkdf2-sha256$i=0$c2FsdA$${zeros}`,
      `$pbkdf2-sha256$i=99999999$c2FsdA$${zeros}`,
      `$pbkdf2-md5$i=1000$c2FsdA$${zeros}`,
      `$pbkdf2-sha256$i=1000$c2FsdA$${zeros}$extra`,
      `$firebase-scrypt$ln=14,r=8$AAAA$Bw$c2FsdA$${zeros}`,
      // Well formed, but one check would hold a hash slot for minutes or take a gigabyte.
      `$pbkdf2-sha1$i=10000000$c2FsdA$${'A'.repeat(683)}`,
      `$pbkdf2-sha256$i=2000001$c2FsdA$${zeros}`,
      `$pbkdf2-sha1$i=1000001$c2FsdA$${zeros}`, // 2 blocks of SHA-1
      `$scrypt$ln=20,r=8,p=1$c2FsdA$${zeros}`,
      `$scrypt$ln=16,r=8,p=16$c2FsdA$${zeros}`,
      `$argon2id$v=19$m=1048576,t=64,p=16$c2FsdHNhbHRzYWx0$${zeros}`,
      `$argon2id$v=19$m=262144,t=16,p=1$c2FsdHNhbHRzYWx0$${zeros}`,
    ];
    for (const encoded of malformed) {
      expect(isSupportedPasswordHash(encoded), encoded).toBe(false);
      for (const candidate of ['', 'password', encoded])
        expect(await verifyPassword(encoded, candidate), encoded).toBe(false);
    }
  });

  it("the cost bounds still admit today's recommended parameters of each form", () => {
    const hash = 'A'.repeat(43);
    for (const encoded of [
      `$pbkdf2-sha256$i=600000$c2FsdA$${hash}`,
      `$pbkdf2-sha512$i=210000$c2FsdA$${'A'.repeat(86)}`,
      `$pbkdf2-sha1$i=1300000$c2FsdA$${'A'.repeat(27)}`,
      `$scrypt$ln=17,r=8,p=1$c2FsdA$${hash}`,
      `$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$${hash}`,
      `$argon2i$v=19$m=262144,t=4,p=1$c2FsdHNhbHRzYWx0$${hash}`,
    ])
      expect(isSupportedPasswordHash(encoded), encoded).toBe(true);
  });

  it('an all-zero hash of the right length verifies nothing (compared, not assumed)', async () => {
    const forged = `$pbkdf2-sha256$i=1000$c2FsdA$${'A'.repeat(43)}`;
    expect(isSupportedPasswordHash(forged)).toBe(true);
    for (const candidate of ['', 'password', 'x'])
      expect(await verifyPassword(forged, candidate)).toBe(false);
  });

  // Every imported form takes the same branch of verifyPassword; the cheap ones show it.
  it('scrypt and PBKDF2 verifications queue for the hash slots like argon2id', async () => {
    setHashConcurrency(1);
    for (const [name, encoded, right] of (await everyForm()).slice(1, 3)) {
      const attempts = Array.from({ length: 300 }, () => verifyPassword(encoded, right));
      const outcomes = await Promise.allSettled(attempts);
      const refused = outcomes.filter(
        (o) => o.status === 'rejected' && o.reason instanceof RateLimitedError,
      );
      // One runs, 256 wait, the rest are refused: they went through the limiter.
      expect(refused.length, name).toBe(300 - 1 - 256);
      expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value === true).length).toBe(257);
    }
  }, 120_000);
});
