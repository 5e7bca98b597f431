import type { Cache } from '../cache/cache.js';
import type { Clock } from '../clock.js';
import type { Db } from '../store/schema.js';
import {
  createRevocationFeedSubscriber,
  createRevocationSet,
  parseRevocationMessage,
  type RevocationMessage,
  type RevocationSet,
} from '../verify/index.js';

const CHANNEL = 'revocations';
const SKEW_SECONDS = 30;
const PRUNE_INTERVAL_MS = 60_000;

type ApiKeyRevoked = { type: 'api_key_revoked'; id: string };

/**
 * Every instance keeps in memory the sessions revoked and the users whose
 * tokens were cut off (ban, role change) while an access token of theirs could
 * still be valid, so verifying a token needs no database. Changes apply here at
 * once and reach the other instances over the cache's pub/sub (Redis).
 */
export interface RevocationFeed {
  readonly set: RevocationSet;
  sessionsRevoked(sessionIds: readonly string[]): Promise<void>;
  /** Rejects every access token of a banned user issued until now. */
  userBanned(userId: string): Promise<void>;
  /**
   * Rejects the user's access tokens issued before this second, so the next
   * refresh carries the new roles. JWT `iat` has one-second resolution: a token
   * issued within the same second as the change survives (documented).
   */
  rolesChanged(userId: string): Promise<void>;
  apiKeyRevoked(id: string): Promise<void>;
  onApiKeyRevoked(handler: (id: string) => void): void;
  /** A user was banned or their roles changed, here or on another instance. */
  onUserChanged(handler: (userId: string) => void): void;
  close(): void;
}

export interface RevocationFeedOptions {
  db: Db;
  cache: Cache;
  clock: Clock;
  accessTokenLifetimeSeconds: number;
}

export async function openRevocationFeed(options: RevocationFeedOptions): Promise<RevocationFeed> {
  const { cache, clock, db } = options;
  const set = createRevocationSet({ now: () => clock.now() });
  const apply = createRevocationFeedSubscriber(set);
  const apiKeyHandlers: Array<(id: string) => void> = [];
  const userHandlers: Array<(userId: string) => void> = [];
  const nowSeconds = () => Math.floor(clock.now() / 1000);
  const until = () => nowSeconds() + options.accessTokenLifetimeSeconds + SKEW_SECONDS;

  const handle = (message: string) => {
    if (apply.handle(message)) {
      const known = parseRevocationMessage(message);
      if (known?.type === 'user_banned') for (const handler of userHandlers) handler(known.sub);
      return;
    }
    const parsed = JSON.parse(message) as Partial<ApiKeyRevoked>;
    if (parsed.type === 'api_key_revoked' && typeof parsed.id === 'string') {
      for (const handler of apiKeyHandlers) handler(parsed.id);
    }
  };
  const send = async (message: RevocationMessage | ApiKeyRevoked) => {
    const text = JSON.stringify(message);
    handle(text);
    await cache.publish(CHANNEL, text);
  };

  await cache.subscribe(CHANNEL, (message) => {
    try {
      handle(message);
    } catch {
      // A malformed message on the channel is ignored, never fatal.
    }
  });

  // A restarted instance is not blind: load what happened within a token's lifetime.
  const windowStartMs = clock.now() - (options.accessTokenLifetimeSeconds + SKEW_SECONDS) * 1000;
  const revoked = await db
    .selectFrom('sessions')
    .select('id')
    .where('revoked_at', '>', windowStartMs)
    .execute();
  for (const { id } of revoked) set.revokeSession(id, until());
  const banned = await db
    .selectFrom('users')
    .select(['id', 'banned_at'])
    .where('banned_at', '>', windowStartMs)
    .execute();
  for (const { id, banned_at } of banned)
    set.banUser(id, Math.floor((banned_at ?? 0) / 1000), until());
  const regranted = await db
    .selectFrom('audit_events')
    .select(['user_id', 'at'])
    .where('type', '=', 'roles_changed')
    .where('at', '>', windowStartMs)
    .execute();
  for (const { user_id, at } of regranted) {
    if (user_id) set.banUser(user_id, Math.floor(at / 1000) - 1, until());
  }

  const pruner = setInterval(() => set.prune(), PRUNE_INTERVAL_MS);
  pruner.unref();

  return {
    set,
    async sessionsRevoked(sessionIds) {
      for (const sid of sessionIds)
        await send({ type: 'session_revoked', sid, untilEpochSeconds: until() });
    },
    userBanned: (userId) =>
      send({
        type: 'user_banned',
        sub: userId,
        sinceEpochSeconds: nowSeconds(),
        untilEpochSeconds: until(),
      }),
    rolesChanged: (userId) =>
      send({
        type: 'user_banned',
        sub: userId,
        sinceEpochSeconds: nowSeconds() - 1,
        untilEpochSeconds: until(),
      }),
    apiKeyRevoked: (id) => send({ type: 'api_key_revoked', id }),
    onUserChanged: (handler) => {
      userHandlers.push(handler);
    },
    onApiKeyRevoked: (handler) => {
      apiKeyHandlers.push(handler);
    },
    close: () => clearInterval(pruner),
  };
}
