import type { Core } from '../core.js';
import { findUserById } from '../store/repositories/users.js';

/** Attributes change rarely; the feed evicts a user at once when they are banned or their roles change. */
const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

type Attributes = Readonly<Record<string, unknown>>;

/**
 * Access tokens carry no personal attributes, yet attribute rules (ABAC) need
 * them, and a deny rule that cannot see them must not silently let a caller
 * through. So a token caller's attributes come from here: one read per user
 * per 30 s, not one per request. A missing user has none.
 */
export function createUserAttributeCache(core: Core): (userId: string) => Promise<Attributes> {
  const cache = new Map<string, { attributes: Attributes; expiresAtMs: number }>();
  // Bumped on every change, so a read that a change overtook is not cached.
  const versions = new Map<string, number>();
  core.revocations.onUserChanged((userId) => {
    cache.delete(userId);
    versions.set(userId, (versions.get(userId) ?? 0) + 1);
    if (versions.size > MAX_ENTRIES) versions.delete(versions.keys().next().value as string);
  });
  return async (userId) => {
    const hit = cache.get(userId);
    if (hit && hit.expiresAtMs > core.clock.now()) return hit.attributes;
    const version = versions.get(userId);
    const attributes = (await findUserById(core.store.db, userId))?.attributes ?? {};
    if (versions.get(userId) !== version) return attributes;
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(userId, { attributes, expiresAtMs: core.clock.now() + TTL_MS });
    return attributes;
  };
}
