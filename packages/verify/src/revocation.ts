/** What a revocation check is asked about a verified token. */
export interface RevocationSubject {
  /** Undefined for a machine token (client credentials): it has no session to revoke. */
  readonly sid: string | undefined;
  /** The user id; for a machine token, the client id (bans by `sub` still apply to it). */
  readonly sub: string;
  /** Issued at, epoch seconds. */
  readonly iat: number;
  /** The user's roles version the token's roles were read at (`rv`); absent in older tokens. */
  readonly rolesVersion?: number | undefined;
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
  /**
   * Rejects the user's tokens whose roles are older than `rolesVersion`: exact,
   * whatever the second. Tokens without a roles version fall back to their
   * `iat`: those issued at or before `sinceEpochSeconds` are rejected.
   */
  rolesChanged(
    sub: string,
    change: { rolesVersion: number; sinceEpochSeconds: number; untilEpochSeconds: number },
  ): void;
  /** Drops entries whose `until` has passed; returns how many were dropped. */
  prune(): number;
  readonly size: number;
}

interface Ban {
  readonly sinceEpochSeconds: number;
  readonly untilEpochSeconds: number;
}

interface RolesChange extends Ban {
  readonly rolesVersion: number;
}

/**
 * The in-memory set of revoked sessions, banned users and role changes. An
 * entry lives until `until` (the latest `exp` of any token it covers), then is
 * forgotten. `now` returns epoch milliseconds, like Date.now.
 */
export function createRevocationSet(options: { now?: () => number } = {}): RevocationSet {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, number>();
  const bans = new Map<string, Ban>();
  const roles = new Map<string, RolesChange>();
  const nowSeconds = (): number => Math.floor(now() / 1000);

  /** The entry for `key` while it lasts; an expired one is dropped on the way. */
  const live = <T extends { untilEpochSeconds: number }>(map: Map<string, T>, key: string) => {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.untilEpochSeconds >= nowSeconds()) return entry;
    map.delete(key);
    return undefined;
  };

  const sessionRevoked = (sid: string): boolean => {
    const until = sessions.get(sid);
    if (until === undefined) return false;
    if (until >= nowSeconds()) return true;
    sessions.delete(sid);
    return false;
  };

  const userBanned = (sub: string, iat: number): boolean => {
    const ban = live(bans, sub);
    return ban !== undefined && iat <= ban.sinceEpochSeconds;
  };

  const rolesStale = ({ sub, iat, rolesVersion }: RevocationSubject): boolean => {
    const change = live(roles, sub);
    if (change === undefined) return false;
    return rolesVersion === undefined
      ? iat <= change.sinceEpochSeconds
      : rolesVersion < change.rolesVersion;
  };

  const max = (previous: number | undefined, next: number) => Math.max(previous ?? next, next);

  return {
    isRevoked: (subject) =>
      (subject.sid !== undefined && sessionRevoked(subject.sid)) ||
      userBanned(subject.sub, subject.iat) ||
      rolesStale(subject),
    revokeSession(sid, untilEpochSeconds) {
      const previous = sessions.get(sid) ?? Number.NEGATIVE_INFINITY;
      sessions.set(sid, Math.max(previous, untilEpochSeconds));
    },
    banUser(sub, sinceEpochSeconds, untilEpochSeconds) {
      const previous = bans.get(sub);
      bans.set(sub, {
        sinceEpochSeconds: max(previous?.sinceEpochSeconds, sinceEpochSeconds),
        untilEpochSeconds: max(previous?.untilEpochSeconds, untilEpochSeconds),
      });
    },
    rolesChanged(sub, change) {
      const previous = roles.get(sub);
      // Messages may arrive out of order: the newest version and the latest instants win.
      roles.set(sub, {
        rolesVersion: max(previous?.rolesVersion, change.rolesVersion),
        sinceEpochSeconds: max(previous?.sinceEpochSeconds, change.sinceEpochSeconds),
        untilEpochSeconds: max(previous?.untilEpochSeconds, change.untilEpochSeconds),
      });
    },
    prune() {
      const current = nowSeconds();
      let dropped = 0;
      for (const [sid, until] of sessions) {
        if (until < current && sessions.delete(sid)) dropped += 1;
      }
      for (const map of [bans, roles] as const) {
        for (const [sub, entry] of map) {
          if (entry.untilEpochSeconds < current && map.delete(sub)) dropped += 1;
        }
      }
      return dropped;
    },
    get size() {
      return sessions.size + bans.size + roles.size;
    },
  };
}
