import { describe, expect, it } from 'vitest';
import {
  createSessionCache,
  SESSION_CACHE_TTL_MS,
  type SessionCacheFeed,
} from '../../src/authn/session-cache.js';
import type { FeedMessage } from '../../src/authn/tokens/revocation-messages.js';
import type { Session } from '../../src/store/repositories/sessions.js';
import type { User } from '../../src/store/repositories/users.js';

const NOW = 1_700_000_000_000;

function fakeFeed() {
  const handlers: Array<(message: FeedMessage) => void> = [];
  const feed = {
    current: true,
    epoch: 0,
    onMessage(handler: (message: FeedMessage) => void) {
      handlers.push(handler);
      return () => {};
    },
    hear(message: FeedMessage) {
      for (const handler of handlers) handler(message);
    },
  };
  return feed satisfies SessionCacheFeed;
}

const user = (id: string): User => ({
  id,
  email: `${id}@example.com`,
  emailVerified: true,
  roles: [],
  attributes: {},
  isService: false,
  bannedAt: null,
  bannedReason: null,
  createdAt: NOW,
  rolesVersion: 0,
});

const session = (id: string, userId: string, expiries: Partial<Session> = {}): Session => ({
  id,
  userId,
  createdAt: NOW,
  lastSeenAt: NOW,
  idleExpiresAt: NOW + 1800_000,
  absoluteExpiresAt: NOW + 7 * 86_400_000,
  ip: null,
  userAgent: null,
  amr: ['pwd'],
  acr: 'aal1',
  authTime: NOW,
  restriction: null,
  ...expiries,
});

function setUp(maxEntries = 100) {
  const feed = fakeFeed();
  const time = { now: NOW, monotonic: 0 };
  const cache = createSessionCache({
    feed,
    maxEntries,
    now: () => time.now,
    monotonic: () => time.monotonic,
  });
  const put = (hash: string, sid: string, uid: string, expiries: Partial<Session> = {}) =>
    cache.put(hash, { session: session(sid, uid, expiries), user: user(uid) }, cache.ticket());
  return { feed, time, cache, put };
}

describe('the session cache', () => {
  it('never holds more than its configured size, dropping the least recently used', () => {
    const { cache, put } = setUp(3);
    for (let i = 0; i < 50; i++) put(`h${i}`, `s${i}`, `u${i}`);
    expect(cache.size).toBe(3);
    expect(cache.get('h0')).toBeUndefined();
    expect(cache.get('h47')?.session.id).toBe('s47');
    // h47 was just used: the next one in pushes out h48, the oldest since.
    put('h50', 's50', 'u50');
    expect(cache.size).toBe(3);
    expect(cache.get('h48')).toBeUndefined();
    expect(cache.get('h47')?.session.id).toBe('s47');
  });

  it('holds nothing when its size is 0', () => {
    const { cache, put } = setUp(0);
    put('h', 's', 'u');
    expect(cache.size).toBe(0);
    expect(cache.get('h')).toBeUndefined();
  });

  it('trusts an entry for its TTL only, on the monotonic clock', () => {
    const { cache, put, time } = setUp();
    put('h', 's', 'u');
    time.monotonic += SESSION_CACHE_TTL_MS - 1;
    expect(cache.get('h')).toBeDefined();
    time.monotonic += 1;
    expect(cache.get('h')).toBeUndefined();
  });

  it('answers no session past its idle or absolute expiry', () => {
    const { cache, put, time } = setUp();
    put('idle', 's1', 'u', { idleExpiresAt: NOW + 10 });
    put('absolute', 's2', 'u', { absoluteExpiresAt: NOW + 20 });
    time.now = NOW + 10;
    expect(cache.get('idle')).toBeUndefined();
    expect(cache.get('absolute')).toBeDefined();
    time.now = NOW + 20;
    expect(cache.get('absolute')).toBeUndefined();
  });

  it('forgets a revoked session, and every session of a banned or re-roled user, at once', () => {
    const { cache, put, feed } = setUp();
    put('a1', 'sa1', 'ua');
    put('a2', 'sa2', 'ua');
    put('b1', 'sb1', 'ub');
    put('c1', 'sc1', 'uc');
    feed.hear({ type: 'session_revoked', sid: 'sa1', untilEpochSeconds: 0 });
    expect(cache.get('a1')).toBeUndefined();
    expect(cache.get('a2')).toBeDefined();
    feed.hear({ type: 'user_banned', sub: 'ua', sinceEpochSeconds: 0, untilEpochSeconds: 0 });
    expect(cache.get('a2')).toBeUndefined();
    feed.hear({
      type: 'roles_changed',
      sub: 'ub',
      rolesVersion: 1,
      sinceEpochSeconds: 0,
      untilEpochSeconds: 0,
    });
    expect(cache.get('b1')).toBeUndefined();
    feed.hear({ type: 'api_key_revoked', id: 'whatever' });
    expect(cache.get('c1')?.user.id).toBe('uc');
  });

  it('evicts by session and by user whatever the LRU dropped or replaced meanwhile', () => {
    const { cache, put, feed } = setUp(2);
    put('old', 's1', 'u');
    put('new', 's1', 'u'); // the same session under a rotated cookie
    put('other', 's2', 'v'); // pushes out 'old'
    expect(cache.get('old')).toBeUndefined();
    feed.hear({ type: 'session_revoked', sid: 's1', untilEpochSeconds: 0 });
    expect(cache.get('new')).toBeUndefined();
    expect(cache.get('other')?.session.id).toBe('s2');
    put('again', 's3', 'v');
    feed.hear({ type: 'user_banned', sub: 'v', sinceEpochSeconds: 0, untilEpochSeconds: 0 });
    expect(cache.size).toBe(0);
  });

  it('does not remember a read that an eviction overtook', () => {
    const { cache, feed } = setUp();
    const ticket = cache.ticket();
    // The read was under way when the revocation came in.
    feed.hear({ type: 'session_revoked', sid: 's', untilEpochSeconds: 0 });
    cache.put('h', { session: session('s', 'u'), user: user('u') }, ticket);
    expect(cache.get('h')).toBeUndefined();
  });

  it('fails closed while the feed is not current, and forgets what it learnt before', () => {
    const { cache, put, feed } = setUp();
    put('before', 's1', 'u');
    feed.current = false;
    feed.epoch = 1;
    expect(cache.get('before')).toBeUndefined();
    put('during', 's2', 'u');
    expect(cache.get('during')).toBeUndefined();
    feed.current = true;
    expect(cache.get('before')).toBeUndefined();
    put('after', 's3', 'u');
    expect(cache.get('after')?.session.id).toBe('s3');
  });
});
