import type { Core } from '../../core.js';
import { constantTimeEqual, sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import type { Principal } from '../../principal.js';
import {
  type ApiKey,
  findApiKey,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from '../../store/repositories/api-keys.js';
import { findUserById } from '../../store/repositories/users.js';
import { withRevocations } from '../tokens/revocations.js';
import { formatApiKey, parseApiKey } from './api-key-format.js';

/** A verified key is remembered this long per instance; revocation evicts it at once via the feed. */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 10_000;
/** `last used` is written at most this often per key. */
const TOUCH_INTERVAL_MS = 60_000;

export interface CreatedApiKey extends ApiKey {
  /** Shown once, never stored: only its SHA-256 is kept. */
  key: string;
}

/**
 * The scopes of a key its holder asks for: a key narrows its creator's rights,
 * never widens them. `held` undefined means every right (a session).
 */
const narrowScopes = (
  held: readonly string[] | undefined,
  asked: readonly string[] | undefined,
): string[] | undefined =>
  held ? (asked ?? held).filter((scope) => held.includes(scope)) : asked && [...asked];

export async function createApiKey(
  core: Core,
  userId: string,
  input: {
    name: string;
    scopes?: readonly string[] | undefined;
    /** The creator's own scopes (a key asking for a key): the new one gets no more. */
    heldScopes?: readonly string[] | undefined;
    expiresAt?: number | undefined;
  },
): Promise<CreatedApiKey> {
  const now = core.clock.now();
  const scopes = narrowScopes(input.heldScopes, input.scopes);
  if (input.expiresAt !== undefined && input.expiresAt <= now) {
    throw new AuthError('invalid_request', 'expiresAt must be in the future.');
  }
  const { key, id, secret } = formatApiKey(
    core.settings.nodeEnv === 'production' ? 'live' : 'test',
  );
  // SHA-256, not argon2: the secret is 256 random bits, so there is nothing to
  // brute-force and a slow hash would only slow every API call down.
  const created = await insertApiKey(core.store.db, {
    id,
    user_id: userId,
    name: input.name,
    secret_hash: sha256(secret),
    scopes: scopes ? JSON.stringify([...new Set(scopes)]) : null,
    created_at: now,
    expires_at: input.expiresAt ?? null,
  });
  return { ...created, key };
}

export const listUserApiKeys = (core: Core, userId: string): Promise<ApiKey[]> =>
  listApiKeys(core.store.db, userId);

export async function revokeUserApiKey(core: Core, userId: string, id: string): Promise<void> {
  await withRevocations(core, async (revoke) => {
    if (!(await revokeApiKey(revoke.db, userId, id, core.clock.now()))) {
      throw new AuthError('not_found', 'No such API key.');
    }
    await revoke.apiKeys([id]);
  });
}

interface CachedKey {
  principal: Principal;
  expiresAtMs: number;
  lastTouchMs: number;
  /** When the owner was read from the database, epoch seconds. */
  loadedAtSeconds: number;
  /** The owner's roles version when read. */
  rolesVersion: number;
}

/** Verifies API keys, remembering good ones briefly; a revocation on any instance evicts them everywhere. */
export function createApiKeyVerifier(core: Core) {
  const cache = new Map<string, CachedKey>();
  // Remembered so that a key being loaded while its revocation arrives is not cached after it.
  const revokedIds = new Set<string>();
  core.revocations.onApiKeyRevoked((id) => {
    revokedIds.add(id);
    if (revokedIds.size > CACHE_MAX_ENTRIES)
      revokedIds.delete(revokedIds.values().next().value as string);
    for (const key of cache.keys()) if (key.includes(`_${id}_`)) cache.delete(key);
  });

  async function load(candidate: string): Promise<CachedKey | null> {
    const parsed = parseApiKey(candidate);
    if (!parsed) return null;
    const now = core.clock.now();
    const stored = await findApiKey(core.store.db, parsed.id);
    if (!stored || stored.revokedAt !== null) return null;
    if (!constantTimeEqual(stored.secretHash, sha256(parsed.secret))) return null;
    if (stored.expiresAt !== null && stored.expiresAt <= now) return null;
    const user = await findUserById(core.store.db, stored.userId);
    if (!user || user.bannedAt !== null) return null;
    const principal: Principal = {
      userId: user.id,
      roles: user.roles,
      attributes: user.attributes,
      via: 'api_key',
      ...(stored.scopes ? { scopes: stored.scopes } : {}),
    };
    const expiresAtMs = Math.min(now + CACHE_TTL_MS, stored.expiresAt ?? Number.POSITIVE_INFINITY);
    return {
      principal,
      expiresAtMs,
      lastTouchMs: 0,
      loadedAtSeconds: Math.floor(now / 1000),
      rolesVersion: user.rolesVersion,
    };
  }

  // A ban or a role change since the owner was read (the revocation feed, as
  // for access tokens) makes a cached principal stale: read the owner again.
  // Roles compare by version (exact); for a ban, a read in the same second as
  // the ban counts as before it (a few extra reads at most).
  const ownerChanged = (entry: CachedKey): boolean =>
    core.revocations.set.isRevoked({
      sid: '',
      sub: entry.principal.userId,
      iat: entry.loadedAtSeconds - 1,
      rolesVersion: entry.rolesVersion,
    });

  return async function verifyApiKey(candidate: string): Promise<Principal | null> {
    const now = core.clock.now();
    let entry = cache.get(candidate);
    if (!entry || entry.expiresAtMs <= now || ownerChanged(entry)) {
      cache.delete(candidate);
      const loaded = await load(candidate);
      if (!loaded || revokedIds.has(parseApiKey(candidate)?.id ?? '')) return null;
      if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(candidate, loaded);
      entry = loaded;
    }
    if (now - entry.lastTouchMs >= TOUCH_INTERVAL_MS) {
      entry.lastTouchMs = now;
      const id = parseApiKey(candidate)?.id;
      if (id) await touchApiKey(core.store.db, id, now);
    }
    return entry.principal;
  };
}
