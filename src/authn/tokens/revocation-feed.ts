import { applyRevocationMessage, createRevocationSet, type RevocationSet } from '@gatehouse/verify';
import type { Cache } from '../../cache/cache.js';
import { type Clock, systemClock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import {
  listRevocationsAfter,
  purgeRevocations,
  type Revocation,
  startingSeq,
} from '../../store/repositories/revocations.js';
import type { Db } from '../../store/schema.js';
import { createRevocationCursor } from './revocation-cursor.js';
import {
  type FeedMessage,
  parseFeedMessage,
  publishedAtOf,
  toMessage,
  toWireText,
} from './revocation-messages.js';

const CHANNEL = 'revocations';
const PAGE = 500;
/** Longer than any revocation transaction stays open between its insert and its commit. */
export const GAP_GRACE_MS = 120_000;
const PRUNE_INTERVAL_MS = 60_000;
/** Rows are kept this long past their expiry, so a slow instance never finds holes to wait on. */
const PURGE_AFTER_MS = 3600_000;
const PURGE_BATCH = 1000;
/** A publish is a fast path: the response does not wait longer for Redis than this. */
const PUBLISH_WAIT_MS = 1000;

/**
 * Every instance keeps in memory the sessions revoked and the users whose
 * tokens were cut off (ban, role change) while an access token of theirs could
 * still be valid, so verifying a token needs no database.
 *
 * The revocations table is the record; pub/sub (Redis) is the fast path. A
 * change commits its rows first (see revocations.ts), then this instance
 * applies them and publishes them. Each instance also reads the table after
 * its cursor: at start, whenever its subscription comes back, and every
 * `pollIntervalSeconds`. So with the feed up a revocation reaches every
 * instance within milliseconds; with it down, within one poll interval (plus
 * the query); a lost message is never lost for longer than that.
 */
export interface RevocationFeed {
  readonly set: RevocationSet;
  /** Applies revocations this instance has committed, then publishes them; a failed publish is logged, never thrown. */
  committed(revocations: readonly Revocation[]): Promise<void>;
  /** Reads and applies what this instance has not seen from the table. */
  catchUp(): Promise<void>;
  onApiKeyRevoked(handler: (id: string) => void): void;
  /** A user was banned or their roles changed, here or on another instance. */
  onUserChanged(handler: (userId: string) => void): void;
  /**
   * Hears every message this instance applies (its own commits, the feed,
   * its reads of the table), possibly more than once; returns the unsubscribe.
   * The revocation stream fans out from here: no query per subscriber.
   */
  onMessage(handler: (message: FeedMessage) => void): () => void;
  /** How many `onMessage` listeners are attached (the open revocation streams). */
  readonly listeners: number;
  /** Every revocation at or below this id has been read here (or given up on as rolled back). */
  position(): number;
  /**
   * False from the moment the subscription is lost until it is back and the
   * table has been read after it: meanwhile a revocation on another instance
   * may not have been heard, so what was learnt before must not be trusted.
   */
  readonly current: boolean;
  /** Goes up each time the feed stops being current: a cache filled in an older epoch is not to be trusted. */
  readonly epoch: number;
  close(): void;
}

export interface RevocationFeedOptions {
  db: Db;
  cache: Cache;
  clock: Clock;
  logger: Logger;
  pollIntervalSeconds: number;
  /** A message from the feed was applied here this long after it was published (wall clocks). */
  onLag?: (seconds: number) => void;
}

export async function openRevocationFeed(options: RevocationFeedOptions): Promise<RevocationFeed> {
  const { cache, clock, db, logger } = options;
  const set = createRevocationSet({ now: () => clock.now() });
  const apiKeyHandlers: Array<(id: string) => void> = [];
  const userHandlers: Array<(userId: string) => void> = [];
  const messageHandlers = new Set<(message: FeedMessage) => void>();

  const apply = (message: FeedMessage) => {
    if (message.type === 'api_key_revoked') {
      for (const handler of apiKeyHandlers) handler(message.id);
    } else {
      applyRevocationMessage(set, message);
      if (message.type !== 'session_revoked')
        for (const handler of userHandlers) handler(message.sub);
    }
    for (const handler of messageHandlers) handler(message);
  };

  // Applying twice is harmless; what the table already gave is not applied again. Rows
  // read from the table always apply: a message's seq (from Redis) can never mask one.
  const applyUnlessRead = (message: FeedMessage) => {
    if (message.seq === undefined || !cursor.has(message.seq)) apply(message);
  };

  const cursor = createRevocationCursor(await startingSeq(db, clock.now(), GAP_GRACE_MS), {
    gapGraceMs: GAP_GRACE_MS,
    now: () => clock.now(),
  });

  let subscribed = true;
  let current = true;
  let epoch = 0;
  const lost = () => {
    if (subscribed) epoch += 1;
    subscribed = false;
    current = false;
  };
  // Current again after a read of the table that began while subscribed, with nothing lost since.
  const pollAndTrust = async (reason: 'poll' | 'resubscribe') => {
    const began = { epoch, subscribed };
    if ((await poll(reason)) && began.subscribed && subscribed && epoch === began.epoch)
      current = true;
  };

  // Subscribed before the first read: whatever commits after the read is heard.
  await cache.subscribe(
    CHANNEL,
    (text) => {
      const message = parseFeedMessage(text);
      // A malformed message on the channel is ignored, never fatal.
      if (!message) return;
      applyUnlessRead(message);
      const publishedAt = publishedAtOf(text);
      // Wall clocks, not the injected one: the lag is between two processes' real time.
      if (publishedAt !== undefined) options.onLag?.((systemClock.now() - publishedAt) / 1000);
    },
    {
      onResubscribe: () => {
        subscribed = true;
        void pollAndTrust('resubscribe');
      },
      onLost: lost,
    },
  );

  const readAfterCursor = async () => {
    cursor.settle();
    // Pages follow the rows read, not the cursor: below a hole the cursor stays put,
    // and paging from it would read the same full page for ever.
    let after = cursor.after;
    for (;;) {
      const rows = await listRevocationsAfter(db, after, PAGE);
      for (const row of rows) {
        if (cursor.record(row.seq)) apply(toMessage(row));
      }
      const last = rows.at(-1);
      if (rows.length < PAGE || !last) return;
      after = last.seq;
    }
  };

  // One read at a time; a request that comes during a read gets one more read after it.
  let reading: Promise<void> | undefined;
  let again = false;
  const catchUp = (): Promise<void> => {
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      do {
        again = false;
        await readAfterCursor();
      } while (again);
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  };

  let failing = false;
  const poll = async (reason: 'poll' | 'resubscribe'): Promise<boolean> => {
    try {
      await catchUp();
      if (failing) logger.info({ reason }, 'revocation catch-up works again');
      failing = false;
      return true;
    } catch (error) {
      // Logged once per outage, not once per poll.
      if (!failing) logger.warn({ reason, err: summary(error) }, 'revocation catch-up failed');
      failing = true;
      return false;
    }
  };

  await catchUp();

  const poller = setInterval(() => void pollAndTrust('poll'), options.pollIntervalSeconds * 1000);
  poller.unref();
  const pruner = setInterval(() => {
    set.prune();
    purgeRevocations(db, clock.now() - PURGE_AFTER_MS, PURGE_BATCH).catch((error: unknown) =>
      logger.warn({ err: summary(error) }, 'revocation purge failed'),
    );
  }, PRUNE_INTERVAL_MS);
  pruner.unref();

  return {
    set,
    catchUp,
    async committed(revocations) {
      const messages = revocations.map(toMessage);
      for (const message of messages) applyUnlessRead(message);
      if (messages.length === 0) return;
      const failure = await publishWithin(
        PUBLISH_WAIT_MS,
        messages.map((message) => cache.publish(CHANNEL, toWireText(message, systemClock.now()))),
      );
      // Committed and applied here; the others read it from the table on their next poll.
      if (failure !== undefined) {
        logger.warn(
          { revocations: messages.length, err: failure },
          'revocation publish failed; other instances catch up from the database',
        );
      }
    },
    onUserChanged: (handler) => {
      userHandlers.push(handler);
    },
    onApiKeyRevoked: (handler) => {
      apiKeyHandlers.push(handler);
    },
    onMessage: (handler) => {
      messageHandlers.add(handler);
      return () => messageHandlers.delete(handler);
    },
    position: () => cursor.after,
    get current() {
      return current;
    },
    get epoch() {
      return epoch;
    },
    get listeners() {
      return messageHandlers.size;
    },
    close: () => {
      messageHandlers.clear();
      clearInterval(poller);
      clearInterval(pruner);
    },
  };
}

/** Waits for the publishes at most `ms`; returns why they failed, or undefined when they went out. */
async function publishWithin(ms: number, publishes: Promise<void>[]): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<string>((resolve) => {
    timer = setTimeout(resolve, ms, `no answer from the cache within ${ms} ms`);
    timer.unref();
  });
  const sent = Promise.all(publishes).then(
    () => undefined,
    (error: unknown) => summary(error),
  );
  try {
    return await Promise.race([sent, slow]);
  } finally {
    clearTimeout(timer);
  }
}

/** The message only: a stack trace per outage helps nobody, and a URL could carry a password. */
const summary = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
