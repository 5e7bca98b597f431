import { randomUUID } from 'node:crypto';
import type { Core } from '../core.js';
import { randomToken, sha256 } from '../crypto/random.js';
import { AuthError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { Page, PageRequest } from '../store/page.js';
import {
  findLiveSessionByTokenHash,
  insertSession,
  listLiveSessions,
  pageLiveSessions,
  revokeOwnSession,
  revokeUserSessions,
  type Session,
  touchSession,
} from '../store/repositories/sessions.js';
import { findUserById, type User, withoutSecret } from '../store/repositories/users.js';
import type { Db } from '../store/schema.js';
import { audit } from './audit.js';
import { type Authentication, isAcr } from './login/assurance.js';
import type { RequestMeta } from './meta.js';
import { type CachedSession, createSessionCache, type SessionCache } from './session-cache.js';
import { type Revoker, withRevocations } from './tokens/revocations.js';

const caches = new WeakMap<Core, SessionCache>();
const sessionCacheOf = (core: Core): SessionCache => {
  let cache = caches.get(core);
  if (!cache) {
    cache = createSessionCache({
      feed: core.revocations,
      maxEntries: core.settings.session.cacheSize,
      now: () => core.clock.now(),
    });
    caches.set(core, cache);
  }
  return cache;
};

/**
 * A change the revocation feed does not carry (a new assurance or cookie, a
 * verified email) is seen at once here; other instances see it within the
 * cache's TTL (one second, see session-cache.ts).
 */
export const forgetCachedSession = (core: Core, sessionId: string): void =>
  sessionCacheOf(core).forgetSession(sessionId);
export const forgetCachedUser = (core: Core, userId: string): void =>
  sessionCacheOf(core).forgetUser(userId);

/**
 * Sliding the idle expiry at most this often keeps a busy session from writing
 * on every request. So a session may end up to this long before a full idle
 * timeout after its last request, never after; at most half the timeout, so
 * a session in use never lapses.
 */
const touchIntervalMs = (core: Core): number =>
  Math.min(
    core.settings.session.touchIntervalSeconds * 1000,
    (core.settings.session.idleTimeoutSeconds * 1000) / 2,
  );

export interface NewSession {
  session: Session;
  /** The cookie value: 256 random bits. Only its SHA-256 is stored. */
  token: string;
}

export async function createSession(
  core: Core,
  user: User,
  meta: RequestMeta,
  auth: Authentication,
  restriction: 'mfa_enrollment' | null,
  db: Db = core.store.db,
): Promise<NewSession> {
  const now = core.clock.now();
  const { idleTimeoutSeconds, absoluteTimeoutSeconds } = core.settings.session;
  const token = randomToken();
  const absoluteExpiresAt = now + absoluteTimeoutSeconds * 1000;
  const session = await insertSession(db, {
    id: randomUUID(),
    token_hash: sha256(token),
    user_id: user.id,
    created_at: now,
    last_seen_at: now,
    idle_expires_at: Math.min(now + idleTimeoutSeconds * 1000, absoluteExpiresAt),
    absolute_expires_at: absoluteExpiresAt,
    ip: meta.ip,
    user_agent: meta.userAgent?.slice(0, 512) ?? null,
    amr: JSON.stringify(auth.amr),
    acr: auth.acr,
    auth_time: auth.authTime,
    restriction,
  });
  return { session, token };
}

/** How a stored session was authenticated. */
export const sessionAuthentication = (session: Session): Authentication => ({
  amr: session.amr,
  acr: isAcr(session.acr) ? session.acr : 'aal1',
  authTime: session.authTime,
});

/** The live session behind a cookie value, or null; unlike `resolveSessionToken` it touches nothing. */
export async function liveSessionOfToken(core: Core, token: string): Promise<Session | null> {
  if (token.length !== 43) return null;
  return findLiveSessionByTokenHash(core.store.db, sha256(token), core.clock.now());
}

export type ResolvedSession = CachedSession;

async function readSession(core: Core, tokenHash: string): Promise<ResolvedSession | null> {
  const session = await findLiveSessionByTokenHash(core.store.db, tokenHash, core.clock.now());
  if (!session) return null;
  const user = await findUserById(core.store.db, session.userId);
  if (!user || user.bannedAt !== null) return null;
  return { session, user: withoutSecret(user) };
}

/**
 * The live session behind a cookie value and its (unbanned) user, or null:
 * from this instance's session cache while the revocation feed is current,
 * else from the database.
 */
export async function resolveSessionToken(
  core: Core,
  token: string,
): Promise<ResolvedSession | null> {
  if (token.length !== 43) return null;
  const tokenHash = sha256(token);
  const cache = sessionCacheOf(core);
  let resolved = cache.get(tokenHash);
  if (!resolved) {
    const ticket = cache.ticket();
    const read = await readSession(core, tokenHash);
    if (!read) return null;
    cache.put(tokenHash, read, ticket);
    resolved = read;
  }
  const { session } = resolved;
  const now = core.clock.now();
  if (now - session.lastSeenAt >= touchIntervalMs(core)) {
    const idleTimeoutMs = core.settings.session.idleTimeoutSeconds * 1000;
    // Moved on before the write, so the requests that come meanwhile do not write too.
    resolved.session = {
      ...session,
      lastSeenAt: now,
      idleExpiresAt: Math.min(now + idleTimeoutMs, session.absoluteExpiresAt),
    };
    await touchSession(core.store.db, session, now, idleTimeoutMs);
  }
  return resolved;
}

/**
 * Ends every session of a user (ban, password reset), or all but one (password
 * change). Their cookies and refresh tokens die with the row; their access
 * tokens are rejected by every instance through the revocation feed once the
 * change has committed. Pass `revoke` to join a larger change's transaction.
 */
export async function revokeAllSessions(
  core: Core,
  userId: string,
  reason: string,
  options: { keepSessionId?: string | undefined; revoke?: Revoker } = {},
): Promise<string[]> {
  const { revoke } = options;
  if (!revoke) {
    return withRevocations(core, (inner) =>
      revokeAllSessions(core, userId, reason, { ...options, revoke: inner }),
    );
  }
  const revocation = { now: core.clock.now(), reason };
  const ids = await revokeUserSessions(revoke.db, userId, revocation, options.keepSessionId);
  await revoke.sessions(ids);
  return ids;
}

/** Ends one session of this user; false when it is not theirs or not live. */
export async function revokeSessionById(
  core: Core,
  userId: string,
  sessionId: string,
  reason: string,
  revoke?: Revoker,
): Promise<boolean> {
  if (!revoke) {
    return withRevocations(core, (inner) =>
      revokeSessionById(core, userId, sessionId, reason, inner),
    );
  }
  const revocation = { now: core.clock.now(), reason };
  const revoked = await revokeOwnSession(revoke.db, userId, sessionId, revocation);
  if (revoked) await revoke.sessions([sessionId]);
  return revoked;
}

/** Signs the caller out: ends the session behind the request and records it, in one transaction. */
export async function logout(
  core: Core,
  principal: Pick<Principal, 'userId' | 'sessionId'>,
  meta: RequestMeta,
): Promise<void> {
  const { sessionId, userId } = principal;
  if (!sessionId) return;
  await withRevocations(core, async (revoke) => {
    await revokeSessionById(core, userId, sessionId, 'logout', revoke);
    await audit(core, { type: 'logout', outcome: 'success', userId }, meta, revoke.db);
  });
}

/** Ends one of the caller's own sessions; another user's id is not found, alike a missing one. */
export async function endOwnSession(
  core: Core,
  principal: Principal,
  sessionId: string,
  meta: RequestMeta,
): Promise<void> {
  const { userId } = principal;
  await withRevocations(core, async (revoke) => {
    if (!(await revokeSessionById(core, userId, sessionId, 'user_revoked', revoke)))
      throw new AuthError('not_found', 'No such session.');
    const detail = { sessionId };
    await audit(
      core,
      { type: 'session_revoked', outcome: 'success', userId, detail },
      meta,
      revoke.db,
    );
  });
}

/** Ends every session of the caller but the current one; returns how many ended. */
export async function endOtherSessions(
  core: Core,
  principal: Principal,
  meta: RequestMeta,
): Promise<number> {
  const { userId } = principal;
  return withRevocations(core, async (revoke) => {
    const ids = await revokeAllSessions(core, userId, 'user_revoked_others', {
      keepSessionId: principal.sessionId,
      revoke,
    });
    const detail = { count: ids.length };
    await audit(
      core,
      { type: 'session_revoked', outcome: 'success', userId, detail },
      meta,
      revoke.db,
    );
    return ids.length;
  });
}

/** A page of the caller's live sessions, newest first. */
export const listOwnSessions = (
  core: Core,
  principal: Principal,
  page: PageRequest,
): Promise<Page<Session>> =>
  pageLiveSessions(core.store.db, principal.userId, core.clock.now(), page);

/**
 * Keeps a user's newest `session.maxPerUser` live sessions; older ones are
 * revoked like any other, so their tokens die on every instance through the
 * revocation feed. Runs inside the sign-in's transaction (`revoke`), so
 * the new session and the evictions commit together. Returns how many were revoked.
 */
export async function enforceSessionCap(
  core: Core,
  userId: string,
  meta: RequestMeta,
  revoke: Revoker,
): Promise<number> {
  const live = await listLiveSessions(revoke.db, userId, core.clock.now());
  let revoked = 0;
  for (const session of live.slice(core.settings.session.maxPerUser)) {
    if (await revokeSessionById(core, userId, session.id, 'session_limit', revoke)) revoked += 1;
  }
  if (revoked > 0) {
    await audit(
      core,
      {
        type: 'session_revoked',
        outcome: 'success',
        userId,
        detail: { reason: 'session_limit', count: revoked },
      },
      meta,
      revoke.db,
    );
  }
  return revoked;
}
