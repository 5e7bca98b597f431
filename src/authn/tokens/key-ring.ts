import { createLocalJWKSet, type JWK, type JWTVerifyGetKey, errors as joseErrors } from 'jose';
import type { Clock } from '../../clock.js';
import { buildJwks, type PublicJwk } from '../../crypto/jwks.js';
import { open, seal } from '../../crypto/secret-box.js';
import type { AccessTokenSigner } from '../../crypto/sign-access-token.js';
import { generateSigningKey, type SigningAlgorithm } from '../../crypto/signing-keys.js';
import { UnavailableError } from '../../errors.js';
import {
  deleteSigningKeysRetiredBefore,
  insertSigningKey,
  listSigningKeyStates,
  listSigningKeys,
  retireSigningKeys,
  type SigningKeyRow,
} from '../../store/repositories/signing-keys.js';
import type { Db } from '../../store/schema.js';

/** Another instance may have rotated: an unknown kid reloads the keys, at most this often. */
const RELOAD_COOLDOWN_MS = 2_000;
/**
 * Another instance (or `gatehouse keys rotate` from another process) may have
 * rotated: before signing or serving the JWKS, an instance whose last look is
 * older than this checks which keys are stored (kid and retirement only, a
 * few rows) and reloads when they changed, so every instance signs with the
 * new key within this time of a rotation, on any backend. A poll rather than
 * a message: it needs no Redis, and a missed message could never delay it.
 */
const CHECK_INTERVAL_MS = 2_000;
/** A full reload (and the purge of long-retired keys) at least this often, changed or not. */
const REFRESH_INTERVAL_MS = 30_000;
const SKEW_MS = 30_000;

export interface KeyRingOptions {
  db: Db;
  secretKey: Buffer;
  clock: Clock;
  /** The primary algorithm: its key signs first-party access tokens. */
  algorithm: SigningAlgorithm;
  /** More algorithms with an active key each beside the primary (RS256 for relying parties that need it). */
  extraAlgorithms?: readonly SigningAlgorithm[];
  /** The longest an access token lives: a retired key verifies this long after it stopped signing. */
  accessTokenLifetimeSeconds: number;
  rotationSeconds: number;
}

export interface KeyRing {
  /** The primary algorithm's active key: it signs first-party access tokens. */
  signer(): AccessTokenSigner;
  /**
   * The active private key of each configured algorithm, primary first (the
   * OpenID Provider's keystore). As of the last read: `refreshIfStale()` first.
   */
  signingKeys(): readonly AccessTokenSigner[];
  /** The configured algorithms, primary first. */
  algorithms(): readonly SigningAlgorithm[];
  /** Public keys of every active key and every retired key whose tokens may still be valid. */
  jwks(): { keys: PublicJwk[] };
  getKey: JWTVerifyGetKey;
  /** A new key of each configured algorithm signs from now on; every other active key is retired. Returns the primary's new kid. */
  rotate(): Promise<string>;
  reload(): Promise<void>;
  /** Checks the stored keys when the last look is older than the check interval; reloads them when they changed. */
  refreshIfStale(): Promise<void>;
  /** Rotates when a signing key is older than the rotation period. */
  rotateIfDue(): Promise<boolean>;
}

/** The box of a private signing key is bound to its kid. */
export const signingKeyAad = (kid: string) => `signing-key:${kid}`;
export async function openKeyRing(options: KeyRingOptions): Promise<KeyRing> {
  const { db, secretKey, clock } = options;
  // An instance may sign with a just-retired key until its next refresh: its
  // tokens must still verify, so a retired key is kept that much longer.
  const graceMs = options.accessTokenLifetimeSeconds * 1000 + SKEW_MS + CHECK_INTERVAL_MS;
  const algorithms = [...new Set([options.algorithm, ...(options.extraAlgorithms ?? [])])];
  let rows: SigningKeyRow[] = [];
  let active: AccessTokenSigner[] = [];
  let oldestActiveCreatedAt = 0;
  let localSet: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });
  let lastReloadMs = 0;
  let lastCheckMs = 0;
  let refreshing: Promise<void> | undefined;

  const stateOf = (keys: ReadonlyArray<Pick<SigningKeyRow, 'kid' | 'retired_at'>>) =>
    keys.map((key) => `${key.kid}:${key.retired_at ?? ''}`).join(',');

  /** Reloads when the stored keys differ from the loaded ones, or the last reload is old. */
  async function refresh(): Promise<void> {
    lastCheckMs = clock.now();
    const stale = clock.now() - lastReloadMs >= REFRESH_INTERVAL_MS;
    if (stale || stateOf(await listSigningKeyStates(db)) !== stateOf(rows)) await reload();
  }

  const publishable = () =>
    rows
      .filter((r) => r.retired_at === null || r.retired_at > clock.now() - graceMs)
      .map((r) => ({ kid: r.kid, alg: r.alg, publicJwk: JSON.parse(r.public_jwk) as JWK }));

  async function generate(alg: SigningAlgorithm): Promise<string> {
    const key = await generateSigningKey(alg, new Date(clock.now()));
    await insertSigningKey(db, {
      kid: key.kid,
      alg: key.alg,
      public_jwk: JSON.stringify(key.publicJwk),
      private_jwk_sealed: seal(secretKey, JSON.stringify(key.privateJwk), signingKeyAad(key.kid)),
      created_at: clock.now(),
      retired_at: null,
    });
    return key.kid;
  }

  async function reload(): Promise<void> {
    lastReloadMs = clock.now();
    lastCheckMs = lastReloadMs;
    await deleteSigningKeysRetiredBefore(db, clock.now() - graceMs);
    rows = await listSigningKeys(db);
    const missing = algorithms.filter((alg) => newestActive(alg) === undefined);
    if (missing.length > 0) {
      // Two instances may do this at once: both keys stay active and published, the newest signs.
      for (const alg of missing) await generate(alg);
      return reload();
    }
    const signing = algorithms.flatMap((alg) => newestActive(alg) ?? []);
    active = signing.map((row) => ({
      kid: row.kid,
      alg: row.alg as SigningAlgorithm,
      privateJwk: JSON.parse(
        open(secretKey, row.private_jwk_sealed, signingKeyAad(row.kid)),
      ) as JWK,
    }));
    oldestActiveCreatedAt = Math.min(...signing.map((row) => row.created_at));
    localSet = createLocalJWKSet(buildJwks(publishable()) as { keys: JWK[] });
  }

  /** Rows are newest first. */
  const newestActive = (alg: SigningAlgorithm) =>
    rows.find((r) => r.retired_at === null && r.alg === alg);

  async function rotate(): Promise<string> {
    const kids: string[] = [];
    for (const alg of algorithms) kids.push(await generate(alg));
    await retireSigningKeys(db, kids, clock.now());
    await reload();
    return kids[0] as string;
  }

  await reload();
  return {
    signer: () => {
      const primary = active[0];
      if (!primary) throw new Error('key ring not loaded');
      return primary;
    },
    signingKeys: () => [...active],
    algorithms: () => [...algorithms],
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
      if (clock.now() - lastCheckMs < CHECK_INTERVAL_MS) return;
      refreshing ??= refresh()
        .catch((error: unknown) => {
          // The check is a look for other instances' rotations, not a need: the loaded keys
          // still sign and verify. Failing here would answer 503 after a sign-in or a refresh
          // had committed, leaving a session nobody holds, or a rotated refresh token whose
          // client, retrying later, is taken for a thief. The next call looks again.
          if (!(error instanceof UnavailableError)) throw error;
        })
        .finally(() => {
          refreshing = undefined;
        });
      await refreshing;
    },
    async rotateIfDue() {
      if (
        options.rotationSeconds === 0 ||
        clock.now() - oldestActiveCreatedAt < options.rotationSeconds * 1000
      )
        return false;
      await rotate();
      return true;
    },
  };
}
