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
  core.revocations.onUserChanged((userId) => cache.delete(userId));
  return async (userId) => {
    const hit = cache.get(userId);
    if (hit && hit.expiresAtMs > core.clock.now()) return hit.attributes;
    const attributes = (await findUserById(core.store.db, userId))?.attributes ?? {};
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(userId, { attributes, expiresAtMs: core.clock.now() + TTL_MS });
    return attributes;
  };
}
