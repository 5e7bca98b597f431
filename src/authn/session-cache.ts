import type { Session } from '../store/repositories/sessions.js';
import type { User } from '../store/repositories/users.js';
import type { FeedMessage } from './tokens/revocation-messages.js';

/**
 * How long an entry is trusted, in real time. The feed evicts revoked sessions
 * and changed users at once; what it does not carry (a step-up's new
 * assurance or cookie on another instance, a verified email) reaches every
 * instance within this, the same bound the feed states for revocations.
 */
export const SESSION_CACHE_TTL_MS = 1000;

export interface CachedSession {
  session: Session;
  /** Without its password hash. */
  user: User;
}

interface Entry extends CachedSession {
  /** Real (monotonic) time after which the entry is read again. */
  freshUntil: number;
  /** The feed's epoch when it was read: one the feed lost since is not trusted. */
  epoch: number;
}

/** What the cache needs of the revocation feed. */
export interface SessionCacheFeed {
  readonly current: boolean;
  readonly epoch: number;
  onMessage(handler: (message: FeedMessage) => void): () => void;
}

export interface SessionCacheOptions {
  feed: SessionCacheFeed;
  maxEntries: number;
  /** Epoch ms on the core's clock, for the session's own expiries. */
  now: () => number;
  /** Monotonic ms, for the entry's freshness. */
  monotonic?: () => number;
}

export interface SessionCache {
  /** The session behind this token hash, if remembered, fresh, trusted and still live now. */
  get(tokenHash: string): CachedSession | undefined;
  /** Call before reading the database: `put` remembers the read only if nothing was evicted meanwhile. */
  ticket(): number;
  put(tokenHash: string, value: CachedSession, ticket: number): void;
  forgetSession(sessionId: string): void;
  forgetUser(userId: string): void;
  readonly size: number;
}

/**
 * A bounded LRU of resolved session cookies (keyed by the token's SHA-256),
 * per instance. It is a fast path only: the feed must be current for it to
 * answer, and every revocation the feed hears evicts at once, so a logout,
 * ban, role change, password change or user deletion anywhere takes effect
 * here as fast as it does for access tokens (and never later than the TTL).
 */
export function createSessionCache(options: SessionCacheOptions): SessionCache {
  const { feed, maxEntries, now } = options;
  const monotonic = options.monotonic ?? (() => performance.now());
  const entries = new Map<string, Entry>();
  // The token hashes of each session and each user: an eviction finds them without a scan.
  const bySession = new Map<string, Set<string>>();
  const byUser = new Map<string, Set<string>>();
  // Bumped by every eviction: a read that one overtook is not remembered.
  let evictions = 0;

  const index = (map: Map<string, Set<string>>, key: string, tokenHash: string) => {
    const hashes = map.get(key);
    if (hashes) hashes.add(tokenHash);
    else map.set(key, new Set([tokenHash]));
  };
  const unindex = (map: Map<string, Set<string>>, key: string, tokenHash: string) => {
    const hashes = map.get(key);
    hashes?.delete(tokenHash);
    if (hashes?.size === 0) map.delete(key);
  };
  const remove = (tokenHash: string) => {
    const entry = entries.get(tokenHash);
    if (!entry) return;
    entries.delete(tokenHash);
    unindex(bySession, entry.session.id, tokenHash);
    unindex(byUser, entry.user.id, tokenHash);
  };
  const forgetAll = (hashes: Set<string> | undefined) => {
    evictions += 1;
    for (const tokenHash of [...(hashes ?? [])]) remove(tokenHash);
  };
  const forgetSession = (sessionId: string) => forgetAll(bySession.get(sessionId));
  const forgetUser = (userId: string) => forgetAll(byUser.get(userId));

  feed.onMessage((message) => {
    if (message.type === 'session_revoked') forgetSession(message.sid);
    else if (message.type === 'user_banned' || message.type === 'roles_changed')
      forgetUser(message.sub);
  });

  const trusted = (entry: Entry): boolean => {
    const at = now();
    return (
      feed.current &&
      entry.epoch === feed.epoch &&
      entry.freshUntil > monotonic() &&
      // The same conditions as the database's query for a live session.
      entry.session.idleExpiresAt > at &&
      entry.session.absoluteExpiresAt > at
    );
  };

  return {
    get(tokenHash) {
      const entry = entries.get(tokenHash);
      if (!entry) return undefined;
      if (!trusted(entry)) {
        remove(tokenHash);
        return undefined;
      }
      // Moved to the end: the Map's order is the recency order.
      entries.delete(tokenHash);
      entries.set(tokenHash, entry);
      return entry;
    },
    ticket: () => evictions,
    put(tokenHash, value, ticket) {
      if (maxEntries === 0 || ticket !== evictions || !feed.current) return;
      remove(tokenHash);
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        remove(oldest);
      }
      entries.set(tokenHash, {
        ...value,
        freshUntil: monotonic() + SESSION_CACHE_TTL_MS,
        epoch: feed.epoch,
      });
      index(bySession, value.session.id, tokenHash);
      index(byUser, value.user.id, tokenHash);
    },
    forgetSession,
    forgetUser,
    get size() {
      return entries.size;
    },
  };
}
