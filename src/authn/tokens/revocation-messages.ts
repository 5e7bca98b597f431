import { parseRevocationMessage, type RevocationMessage } from '@gatehouse/verify';
import type { Revocation } from '../../store/repositories/revocations.js';

/** Only the server's instances care: their API-key caches. Resource servers never see API keys. */
export interface ApiKeyRevoked {
  readonly type: 'api_key_revoked';
  readonly id: string;
  readonly seq?: number;
}

export type FeedMessage = RevocationMessage | ApiKeyRevoked;

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The message that announces a committed revocation; `seq` is its row id. */
export function toMessage(row: Revocation): FeedMessage {
  const { seq, subject } = row;
  const untilEpochSeconds = Math.ceil(row.untilAt / 1000);
  const sinceEpochSeconds = seconds(row.cutoffAt);
  switch (row.kind) {
    case 'session':
      return { type: 'session_revoked', sid: subject, untilEpochSeconds, seq };
    case 'user':
      return { type: 'user_banned', sub: subject, sinceEpochSeconds, untilEpochSeconds, seq };
    case 'roles':
      return {
        type: 'roles_changed',
        sub: subject,
        rolesVersion: row.rolesVersion ?? 0,
        sinceEpochSeconds,
        untilEpochSeconds,
        seq,
      };
    case 'api_key':
      return { type: 'api_key_revoked', id: subject, seq };
  }
}

export function parseFeedMessage(text: string): FeedMessage | null {
  const known = parseRevocationMessage(text);
  if (known) return known;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { type, id, seq } = value as Record<string, unknown>;
  if (type !== 'api_key_revoked' || typeof id !== 'string' || id === '') return null;
  if (seq === undefined) return { type, id };
  return typeof seq === 'number' && Number.isSafeInteger(seq) ? { type, id, seq } : null;
}

/**
 * The text published on the feed: the message and when it was published
 * (epoch ms, wall clock), so the instances that apply it can measure the lag.
 * Parsers (ours, @gatehouse/verify's) ignore the extra field, and a message
 * without it (from an older instance) still parses.
 */
export const toWireText = (message: FeedMessage, publishedAtMs: number): string =>
  JSON.stringify({ ...message, publishedAtMs });

/** When a feed text was published, if it says so. */
export function publishedAtOf(text: string): number | undefined {
  try {
    const { publishedAtMs } = JSON.parse(text) as { publishedAtMs?: unknown };
    return typeof publishedAtMs === 'number' && Number.isFinite(publishedAtMs)
      ? publishedAtMs
      : undefined;
  } catch {
    return undefined;
  }
}
