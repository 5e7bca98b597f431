import type { RevocationMessage } from '@gatehouse/verify';
import type { Core } from '../../core.js';
import {
  listRevocationsAfter,
  seqRange,
  startingSeq,
} from '../../store/repositories/revocations.js';
import { createRevocationCursor } from './revocation-cursor.js';
import { GAP_GRACE_MS } from './revocation-feed.js';
import { type FeedMessage, toMessage } from './revocation-messages.js';

const PAGE = 500;

/**
 * What a subscriber is told, in order. `position` is where it resumes from:
 * every revocation at or below it has been sent (or had expired, or was an
 * API key's, which resource servers never see). It is the event's own `seq`
 * whenever everything before it was sent too, the usual case; lower while an
 * earlier id is still in flight (PostgreSQL hands ids out before commit).
 */
export type StreamEvent =
  | { readonly kind: 'revocation'; readonly position: number; readonly message: RevocationMessage }
  /**
   * The resume point is not in the table's history: newer than its newest id
   * (another database, or one restored from a backup), or older than what was
   * purged. What follows is everything in force; the subscriber keeps what it
   * had (dropping a revocation is never the safe side; each expires by itself).
   * Purged rows only covered tokens that expired over an hour before, so no
   * token needs to be treated as suspect.
   */
  | {
      readonly kind: 'reset';
      readonly reason: 'unknown_position' | 'purged';
      readonly newestSeq: number;
    }
  /** Everything in force up to now has been sent; live events follow. */
  | { readonly kind: 'ready'; readonly position: number };

export type ResetReason = Extract<StreamEvent, { kind: 'reset' }>['reason'];

export interface RevocationStreamOptions {
  /** The id the subscriber last saw (`Last-Event-ID`); undefined for a new one. */
  readonly after: number | undefined;
  /** The subscriber's own account: its ban or role change ends the stream. */
  readonly subscriberId: string;
  /** The session behind the subscriber's credential, if any: its revocation ends the stream. */
  readonly subscriberSessionId?: string | undefined;
  /** Each event, in order, synchronously. */
  send(event: StreamEvent): void;
  /** The stream must end (the subscriber's rights changed); it may reconnect and authenticate again. */
  end(): void;
}

export interface RevocationStream {
  close(): void;
}

/**
 * One subscriber's view of the feed: the backlog after its resume point read
 * from the table, then the messages this instance applies (its own commits,
 * Redis, its polls): one listener per subscriber on the instance's feed, no
 * query per event. Fails (and subscribes nothing) when the database does.
 */
export async function openRevocationStream(
  core: Core,
  options: RevocationStreamOptions,
): Promise<RevocationStream> {
  const { db } = core.store;
  const now = core.clock.now();
  const { start, reset } = await startOf(core, options.after, now);
  const cursor = createRevocationCursor(start, {
    gapGraceMs: GAP_GRACE_MS,
    now: () => core.clock.now(),
  });
  // While the backlog is sent, the instance's position may count live rows not yet sent.
  let live = false;
  const position = () =>
    live ? Math.max(cursor.after, core.revocations.position()) : cursor.after;

  const forward = (message: FeedMessage, inForceUntilMs = Number.POSITIVE_INFINITY) => {
    if (message.seq !== undefined && !cursor.record(message.seq)) return;
    if (message.type === 'api_key_revoked' || inForceUntilMs <= core.clock.now()) return;
    options.send({ kind: 'revocation', position: position(), message });
    // Only a live change: the backlog may hold the very role grant that let the subscriber in.
    if (!live) return;
    const own =
      message.type === 'session_revoked'
        ? options.subscriberSessionId !== undefined && message.sid === options.subscriberSessionId
        : message.sub === options.subscriberId;
    if (own) options.end();
  };

  const buffered: FeedMessage[] = [];
  const unsubscribe = core.revocations.onMessage((message) => {
    if (live) forward(message);
    else buffered.push(message);
  });
  try {
    if (reset) options.send({ kind: 'reset', ...reset });
    for (let after = start; ; ) {
      const rows = await listRevocationsAfter(db, after, PAGE);
      for (const row of rows) forward(toMessage(row), row.untilAt);
      const last = rows.at(-1);
      if (rows.length < PAGE || !last) break;
      after = last.seq;
    }
    live = true;
    for (const message of buffered.splice(0)) forward(message);
    // Moves the instance's position up to what the table holds now.
    await core.revocations.catchUp();
  } catch (error) {
    unsubscribe();
    throw error;
  }
  options.send({ kind: 'ready', position: position() });
  return { close: unsubscribe };
}

async function startOf(
  core: Core,
  after: number | undefined,
  now: number,
): Promise<{ start: number; reset?: { reason: ResetReason; newestSeq: number } }> {
  const { db } = core.store;
  const fromScratch = () => startingSeq(db, now, GAP_GRACE_MS);
  if (after === undefined) return { start: await fromScratch() };
  const { oldest, newest } = await seqRange(db);
  const reason: ResetReason | undefined =
    after > newest ? 'unknown_position' : after < oldest - 1 ? 'purged' : undefined;
  if (reason === undefined) return { start: after };
  return { start: await fromScratch(), reset: { reason, newestSeq: newest } };
}
