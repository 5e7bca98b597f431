/** What a revocation check is asked about a verified token. */
export interface RevocationSubject {
  readonly sid: string;
  readonly sub: string;
  /** Issued at, epoch seconds. */
  readonly iat: number;
}

/** Synchronous and in-memory: it runs on every request, cache hits included. */
export interface RevocationCheck {
  isRevoked(subject: RevocationSubject): boolean;
}

export interface RevocationSet extends RevocationCheck {
  /** Rejects every token of session `sid` until no such token can still be valid. */
  revokeSession(sid: string, untilEpochSeconds: number): void;
  /** Rejects the user's tokens issued at or before `sinceEpochSeconds`. */
  banUser(sub: string, sinceEpochSeconds: number, untilEpochSeconds: number): void;
  /** Drops entries whose `until` has passed; returns how many were dropped. */
  prune(): number;
  readonly size: number;
}

interface Ban {
  readonly sinceEpochSeconds: number;
  readonly untilEpochSeconds: number;
}

/**
 * The in-memory set of revoked sessions and banned users. An entry lives
 * until `until` (the latest `exp` of any token it covers), then is forgotten.
 * `now` returns epoch milliseconds, like Date.now.
 */
export function createRevocationSet(options: { now?: () => number } = {}): RevocationSet {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, number>();
  const bans = new Map<string, Ban>();
  const nowSeconds = (): number => Math.floor(now() / 1000);

  const sessionRevoked = (sid: string): boolean => {
    const until = sessions.get(sid);
    if (until === undefined) return false;
    if (until >= nowSeconds()) return true;
    sessions.delete(sid);
    return false;
  };

  const userBanned = (sub: string, iat: number): boolean => {
    const ban = bans.get(sub);
    if (ban === undefined) return false;
    if (ban.untilEpochSeconds < nowSeconds()) {
      bans.delete(sub);
      return false;
    }
    return iat <= ban.sinceEpochSeconds;
  };

  return {
    isRevoked: ({ sid, sub, iat }) => sessionRevoked(sid) || userBanned(sub, iat),
    revokeSession(sid, untilEpochSeconds) {
      const previous = sessions.get(sid) ?? Number.NEGATIVE_INFINITY;
      sessions.set(sid, Math.max(previous, untilEpochSeconds));
    },
    banUser(sub, sinceEpochSeconds, untilEpochSeconds) {
      const previous = bans.get(sub);
      bans.set(sub, {
        sinceEpochSeconds: Math.max(
          previous?.sinceEpochSeconds ?? sinceEpochSeconds,
          sinceEpochSeconds,
        ),
        untilEpochSeconds: Math.max(
          previous?.untilEpochSeconds ?? untilEpochSeconds,
          untilEpochSeconds,
        ),
      });
    },
    prune() {
      const current = nowSeconds();
      let dropped = 0;
      for (const [sid, until] of sessions) {
        if (until < current && sessions.delete(sid)) dropped += 1;
      }
      for (const [sub, ban] of bans) {
        if (ban.untilEpochSeconds < current && bans.delete(sub)) dropped += 1;
      }
      return dropped;
    },
    get size() {
      return sessions.size + bans.size;
    },
  };
}
