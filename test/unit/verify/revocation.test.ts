import {
  createRevocationFeedSubscriber,
  createRevocationSet,
  parseRevocationMessage,
} from '@gatehouse/verify';
import { describe, expect, it } from 'vitest';

const T = 1_800_000_000;

function fixture() {
  let nowMilliseconds = T * 1000;
  const set = createRevocationSet({ now: () => nowMilliseconds });
  return { set, advanceSeconds: (s: number) => (nowMilliseconds += s * 1000) };
}

describe('createRevocationSet', () => {
  it('revokes a session until its until-time, then forgets it', () => {
    const { set, advanceSeconds } = fixture();
    set.revokeSession('s1', T + 10);
    expect(set.isRevoked({ sid: 's1', sub: 'u', iat: T })).toBe(true);
    expect(set.isRevoked({ sid: 's2', sub: 'u', iat: T })).toBe(false);
    advanceSeconds(11);
    expect(set.isRevoked({ sid: 's1', sub: 'u', iat: T })).toBe(false);
    expect(set.size).toBe(0);
  });

  it('a token without a session (a machine token) skips the session check; a ban by sub still applies', () => {
    const { set } = fixture();
    set.revokeSession('s1', T + 10);
    expect(set.isRevoked({ sid: undefined, sub: 'client-a', iat: T })).toBe(false);
    set.banUser('client-a', T, T + 600);
    expect(set.isRevoked({ sid: undefined, sub: 'client-a', iat: T })).toBe(true);
    expect(set.isRevoked({ sid: undefined, sub: 'client-a', iat: T + 1 })).toBe(false);
  });

  it('bans tokens issued at or before since, not after (a new login after unban works)', () => {
    const { set } = fixture();
    set.banUser('u1', T, T + 600);
    expect(set.isRevoked({ sid: 's', sub: 'u1', iat: T - 5 })).toBe(true);
    expect(set.isRevoked({ sid: 's', sub: 'u1', iat: T })).toBe(true);
    expect(set.isRevoked({ sid: 's', sub: 'u1', iat: T + 1 })).toBe(false);
    expect(set.isRevoked({ sid: 's', sub: 'u2', iat: T })).toBe(false);
  });

  it('never shortens an existing entry', () => {
    const { set, advanceSeconds } = fixture();
    set.revokeSession('s1', T + 100);
    set.revokeSession('s1', T + 10);
    advanceSeconds(50);
    expect(set.isRevoked({ sid: 's1', sub: 'u', iat: T })).toBe(true);
  });

  it('prunes expired entries', () => {
    const { set, advanceSeconds } = fixture();
    set.revokeSession('s1', T + 10);
    set.banUser('u1', T, T + 20);
    set.banUser('u2', T, T + 100);
    advanceSeconds(30);
    expect(set.prune()).toBe(2);
    expect(set.size).toBe(1);
  });
});

describe('role changes', () => {
  it('cut off exactly the tokens with an older roles version, whatever the second', () => {
    const { set } = fixture();
    set.rolesChanged('u1', { rolesVersion: 3, sinceEpochSeconds: T, untilEpochSeconds: T + 600 });
    expect(set.isRevoked({ sid: 's', sub: 'u1', iat: T, rolesVersion: 2 })).toBe(true);
    expect(set.isRevoked({ sid: 's', sub: 'u1', iat: T, rolesVersion: 3 })).toBe(false);
    expect(set.isRevoked({ sid: 's', sub: 'u1', iat: T - 100, rolesVersion: 3 })).toBe(false);
    expect(set.isRevoked({ sid: 's', sub: 'u2', iat: T, rolesVersion: 0 })).toBe(false);
  });

  it('fall back to iat for tokens without a roles version (same second included)', () => {
    const { set } = fixture();
    set.rolesChanged('u1', { rolesVersion: 1, sinceEpochSeconds: T, untilEpochSeconds: T + 600 });
    expect(set.isRevoked({ sid: 's', sub: 'u1', iat: T })).toBe(true);
    expect(set.isRevoked({ sid: 's', sub: 'u1', iat: T + 1 })).toBe(false);
  });

  it('keep the newest version when messages arrive out of order, and expire', () => {
    const { set, advanceSeconds } = fixture();
    set.rolesChanged('u1', { rolesVersion: 5, sinceEpochSeconds: T, untilEpochSeconds: T + 600 });
    set.rolesChanged('u1', { rolesVersion: 4, sinceEpochSeconds: T, untilEpochSeconds: T + 10 });
    expect(set.isRevoked({ sid: 's', sub: 'u1', iat: T, rolesVersion: 4 })).toBe(true);
    advanceSeconds(601);
    expect(set.isRevoked({ sid: 's', sub: 'u1', iat: T, rolesVersion: 4 })).toBe(false);
    expect(set.prune()).toBe(0);
    expect(set.size).toBe(0);
  });
});

describe('the revocation feed', () => {
  it('applies session and ban messages', () => {
    const { set } = fixture();
    const feed = createRevocationFeedSubscriber(set);
    expect(
      feed.handle(
        JSON.stringify({ type: 'session_revoked', sid: 's1', untilEpochSeconds: T + 60 }),
      ),
    ).toBe(true);
    expect(
      feed.handle(
        JSON.stringify({
          type: 'user_banned',
          sub: 'u1',
          sinceEpochSeconds: T,
          untilEpochSeconds: T + 60,
        }),
      ),
    ).toBe(true);
    expect(set.isRevoked({ sid: 's1', sub: 'x', iat: T })).toBe(true);
    expect(set.isRevoked({ sid: 'x', sub: 'u1', iat: T })).toBe(true);
  });

  it('applies roles_changed, and accepts the row id (seq) of the server’s record', () => {
    const { set } = fixture();
    const feed = createRevocationFeedSubscriber(set);
    const message = {
      type: 'roles_changed',
      sub: 'u1',
      rolesVersion: 2,
      sinceEpochSeconds: T,
      untilEpochSeconds: T + 60,
      seq: 41,
    };
    expect(parseRevocationMessage(JSON.stringify(message))).toEqual(message);
    expect(feed.handle(JSON.stringify(message))).toBe(true);
    expect(set.isRevoked({ sid: 'x', sub: 'u1', iat: T + 5, rolesVersion: 1 })).toBe(true);
    expect(set.isRevoked({ sid: 'x', sub: 'u1', iat: T, rolesVersion: 2 })).toBe(false);
  });

  it.each([
    'not json',
    'null',
    '[]',
    '{"type":"session_revoked","sid":"s1"}',
    '{"type":"session_revoked","sid":"","untilEpochSeconds":1}',
    '{"type":"user_banned","sub":"u1","untilEpochSeconds":1}',
    '{"type":"other","sid":"s1","untilEpochSeconds":1}',
    '{"type":"session_revoked","sid":"s1","untilEpochSeconds":1,"seq":-1}',
    '{"type":"session_revoked","sid":"s1","untilEpochSeconds":1,"seq":"7"}',
    '{"type":"roles_changed","sub":"u1","sinceEpochSeconds":1,"untilEpochSeconds":1}',
    '{"type":"roles_changed","sub":"u1","rolesVersion":1.5,"sinceEpochSeconds":1,"untilEpochSeconds":1}',
  ])('ignores a malformed message: %s', (message) => {
    const { set } = fixture();
    expect(parseRevocationMessage(message)).toBeNull();
    expect(createRevocationFeedSubscriber(set).handle(message)).toBe(false);
    expect(set.size).toBe(0);
  });
});
