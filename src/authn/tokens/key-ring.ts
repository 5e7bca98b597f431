import { createLocalJWKSet, type JWK, type JWTVerifyGetKey, errors as joseErrors } from 'jose';
import type { Clock } from '../../clock.js';
import { buildJwks, type PublicJwk } from '../../crypto/jwks.js';
import { open, seal } from '../../crypto/secret-box.js';
import type { AccessTokenSigner } from '../../crypto/sign-access-token.js';
import { generateSigningKey, type SigningAlgorithm } from '../../crypto/signing-keys.js';
import {
  deleteSigningKeysRetiredBefore,
  insertSigningKey,
  listSigningKeys,
  retireSigningKeys,
  type SigningKeyRow,
} from '../../store/repositories/signing-keys.js';
import type { Db } from '../../store/schema.js';

/** Another instance may have rotated: an unknown kid reloads the keys, at most this often. */
const RELOAD_COOLDOWN_MS = 2_000;
/**
 * Another instance (or `gatehouse keys rotate`) may have rotated: keys are
 * re-read at most this long after the last read, before signing or serving
 * the JWKS, so every instance moves to the new signing key within this time.
 */
const REFRESH_INTERVAL_MS = 30_000;
const SKEW_MS = 30_000;

export interface KeyRingOptions {
  db: Db;
  secretKey: Buffer;
  clock: Clock;
  algorithm: SigningAlgorithm;
  /** The longest an access token lives: a retired key verifies this long after it stopped signing. */
  accessTokenLifetimeSeconds: number;
  rotationSeconds: number;
}

export interface KeyRing {
  signer(): AccessTokenSigner;
  /** Public keys of the signing key and every retired key whose tokens may still be valid. */
  jwks(): { keys: PublicJwk[] };
  getKey: JWTVerifyGetKey;
  rotate(): Promise<string>;
  reload(): Promise<void>;
  /** Re-reads the keys when the last read is older than the refresh interval. */
  refreshIfStale(): Promise<void>;
  /** Rotates when the signing key is older than the rotation period. */
  rotateIfDue(): Promise<boolean>;
}

const aad = (kid: string) => `signing-key:${kid}`;

export async function openKeyRing(options: KeyRingOptions): Promise<KeyRing> {
  const { db, secretKey, clock } = options;
  // An instance may sign with a just-retired key until its next refresh: its
  // tokens must still verify, so a retired key is kept that much longer.
  const graceMs = options.accessTokenLifetimeSeconds * 1000 + SKEW_MS + REFRESH_INTERVAL_MS;
  let rows: SigningKeyRow[] = [];
  let active: AccessTokenSigner | undefined;
  let activeCreatedAt = 0;
  let localSet: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });
  let lastReloadMs = 0;
  let refreshing: Promise<void> | undefined;

  const publishable = () =>
    rows
      .filter((r) => r.retired_at === null || r.retired_at > clock.now() - graceMs)
      .map((r) => ({ kid: r.kid, alg: r.alg, publicJwk: JSON.parse(r.public_jwk) as JWK }));

  async function generate(): Promise<string> {
    const key = await generateSigningKey(options.algorithm, new Date(clock.now()));
    await insertSigningKey(db, {
      kid: key.kid,
      alg: key.alg,
      public_jwk: JSON.stringify(key.publicJwk),
      private_jwk_sealed: seal(secretKey, JSON.stringify(key.privateJwk), aad(key.kid)),
      created_at: clock.now(),
      retired_at: null,
    });
    return key.kid;
  }

  async function reload(): Promise<void> {
    lastReloadMs = clock.now();
    await deleteSigningKeysRetiredBefore(db, clock.now() - graceMs);
    rows = await listSigningKeys(db);
    const newest = rows.find((r) => r.retired_at === null);
    if (!newest) {
      await generate();
      return reload();
    }
    active = {
      kid: newest.kid,
      alg: newest.alg as SigningAlgorithm,
      privateJwk: JSON.parse(open(secretKey, newest.private_jwk_sealed, aad(newest.kid))) as JWK,
    };
    activeCreatedAt = newest.created_at;
    localSet = createLocalJWKSet(buildJwks(publishable()) as { keys: JWK[] });
  }

  async function rotate(): Promise<string> {
    const kid = await generate();
    await retireSigningKeys(db, kid, clock.now());
    await reload();
    return kid;
  }

  await reload();
  return {
    signer: () => {
      if (!active) throw new Error('key ring not loaded');
      return active;
    },
    jwks: () => buildJwks(publishable()),
    getKey: async (header, token) => {
      try {
        return await localSet(header, token);
      } catch (error) {
        const unknownKid = error instanceof joseErrors.JWKSNoMatchingKey;
        if (!unknownKid || clock.now() - lastReloadMs < RELOAD_COOLDOWN_MS) throw error;
        await reload();
        return localSet(header, token);
      }
    },
    rotate,
    reload,
    async refreshIfStale() {
      if (clock.now() - lastReloadMs < REFRESH_INTERVAL_MS) return;
      refreshing ??= reload().finally(() => {
        refreshing = undefined;
      });
      await refreshing;
    },
    async rotateIfDue() {
      if (
        options.rotationSeconds === 0 ||
        clock.now() - activeCreatedAt < options.rotationSeconds * 1000
      )
        return false;
      await rotate();
      return true;
    },
  };
}
