import type { RevocationSet } from './revocation.js';

/**
 * Messages on the revocation feed, as JSON strings. The server publishes
 * them (e.g. on Redis pub/sub); this side only parses and applies them, so
 * any transport can be wired to `handle`. `seq`, when present, is the id of
 * the server's durable record of the revocation; applying a message twice is
 * harmless. A subscriber older than `roles_changed` ignores it (and so keeps
 * accepting tokens with removed roles until they expire): update it.
 */
export type RevocationMessage = (
  | { readonly type: 'session_revoked'; readonly sid: string; readonly untilEpochSeconds: number }
  | {
      readonly type: 'user_banned';
      readonly sub: string;
      readonly sinceEpochSeconds: number;
      readonly untilEpochSeconds: number;
    }
  | {
      readonly type: 'roles_changed';
      readonly sub: string;
      /** Tokens whose `rv` is lower carry roles from before the change. */
      readonly rolesVersion: number;
      /** For tokens without `rv`: those issued at or before this second. */
      readonly sinceEpochSeconds: number;
      readonly untilEpochSeconds: number;
    }
) & { readonly seq?: number };

export interface RevocationFeedSubscriber {
  /** Applies one message; returns false (and changes nothing) when it is malformed. */
  handle(message: string): boolean;
}

export function createRevocationFeedSubscriber(set: RevocationSet): RevocationFeedSubscriber {
  return {
    handle(message) {
      const parsed = parseRevocationMessage(message);
      if (parsed === null) return false;
      applyRevocationMessage(set, parsed);
      return true;
    },
  };
}

export function applyRevocationMessage(set: RevocationSet, message: RevocationMessage): void {
  switch (message.type) {
    case 'session_revoked':
      set.revokeSession(message.sid, message.untilEpochSeconds);
      return;
    case 'user_banned':
      set.banUser(message.sub, message.sinceEpochSeconds, message.untilEpochSeconds);
      return;
    case 'roles_changed':
      set.rolesChanged(message.sub, message);
      return;
  }
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
  const { type, sid, sub, sinceEpochSeconds, untilEpochSeconds, rolesVersion, seq } = record;
  if (!isEpoch(untilEpochSeconds)) return null;
  if (seq !== undefined && !isCount(seq)) return null;
  const sequenced = seq === undefined ? {} : { seq };
  if (type === 'session_revoked' && isId(sid)) {
    return { type, sid, untilEpochSeconds, ...sequenced };
  }
  if (!isId(sub) || !isEpoch(sinceEpochSeconds)) return null;
  if (type === 'user_banned') {
    return { type, sub, sinceEpochSeconds, untilEpochSeconds, ...sequenced };
  }
  if (type === 'roles_changed' && isCount(rolesVersion)) {
    return { type, sub, rolesVersion, sinceEpochSeconds, untilEpochSeconds, ...sequenced };
  }
  return null;
}

const isId = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isEpoch = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
