import type { RevocationSet } from './revocation.js';

/**
 * Messages on the revocation feed, as JSON strings. The server publishes
 * them (e.g. on Redis pub/sub); this side only parses and applies them, so
 * any transport can be wired to `handle`.
 */
export type RevocationMessage =
  | { readonly type: 'session_revoked'; readonly sid: string; readonly untilEpochSeconds: number }
  | {
      readonly type: 'user_banned';
      readonly sub: string;
      readonly sinceEpochSeconds: number;
      readonly untilEpochSeconds: number;
    };

export interface RevocationFeedSubscriber {
  /** Applies one message; returns false (and changes nothing) when it is malformed. */
  handle(message: string): boolean;
}

export function createRevocationFeedSubscriber(set: RevocationSet): RevocationFeedSubscriber {
  return {
    handle(message) {
      const parsed = parseRevocationMessage(message);
      if (parsed === null) return false;
      if (parsed.type === 'session_revoked') {
        set.revokeSession(parsed.sid, parsed.untilEpochSeconds);
      } else {
        set.banUser(parsed.sub, parsed.sinceEpochSeconds, parsed.untilEpochSeconds);
      }
      return true;
    },
  };
}

export function parseRevocationMessage(message: string): RevocationMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const { type, sid, sub, sinceEpochSeconds, untilEpochSeconds } = record;
  if (!isEpoch(untilEpochSeconds)) return null;
  if (type === 'session_revoked' && isId(sid)) {
    return { type, sid, untilEpochSeconds };
  }
  if (type === 'user_banned' && isId(sub) && isEpoch(sinceEpochSeconds)) {
    return { type, sub, sinceEpochSeconds, untilEpochSeconds };
  }
  return null;
}

const isId = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isEpoch = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
