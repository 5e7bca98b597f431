import { type Page, type PageRequest, toPage } from '../page.js';
import type { Db, SessionsTable } from '../schema.js';

export interface Session {
  id: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  ip: string | null;
  userAgent: string | null;
  amr: string[];
  acr: string;
  authTime: number;
  restriction: 'mfa_enrollment' | null;
}

const toSession = (row: SessionsTable): Session => ({
  id: row.id,
  userId: row.user_id,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  idleExpiresAt: row.idle_expires_at,
  absoluteExpiresAt: row.absolute_expires_at,
  ip: row.ip,
  userAgent: row.user_agent,
  amr: JSON.parse(row.amr) as string[],
  acr: row.acr,
  authTime: row.auth_time,
  restriction: row.restriction,
});

export async function insertSession(
  db: Db,
  row: Omit<SessionsTable, 'revoked_at' | 'revoked_reason'>,
): Promise<Session> {
  await db
    .insertInto('sessions')
    .values({ ...row, revoked_at: null, revoked_reason: null })
    .execute();
  return toSession({ ...row, revoked_at: null, revoked_reason: null });
}

/** Sessions that are not revoked and within both their idle and absolute expiry. */
const liveSessions = (db: Db, now: number) =>
  db
    .selectFrom('sessions')
    .selectAll()
    .where('revoked_at', 'is', null)
    .where('idle_expires_at', '>', now)
    .where('absolute_expires_at', '>', now);

export async function findLiveSessionByTokenHash(
  db: Db,
  tokenHash: string,
  now: number,
): Promise<Session | null> {
  const row = await liveSessions(db, now).where('token_hash', '=', tokenHash).executeTakeFirst();
  return row ? toSession(row) : null;
}

export async function findLiveSessionById(
  db: Db,
  id: string,
  now: number,
): Promise<Session | null> {
  const row = await liveSessions(db, now).where('id', '=', id).executeTakeFirst();
  return row ? toSession(row) : null;
}

/** Slides the idle expiry, never past the absolute one. */
export async function touchSession(
  db: Db,
  session: Session,
  now: number,
  idleTimeoutMs: number,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({
      last_seen_at: now,
      idle_expires_at: Math.min(now + idleTimeoutMs, session.absoluteExpiresAt),
    })
    .where('id', '=', session.id)
    .execute();
}

/** A user's live sessions, newest first (ties by id). */
const liveSessionsOf = (db: Db, userId: string, now: number) =>
  liveSessions(db, now)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');

export async function listLiveSessions(db: Db, userId: string, now: number): Promise<Session[]> {
  const rows = await liveSessionsOf(db, userId, now).execute();
  return rows.map(toSession);
}

/** One keyset page of a user's live sessions; `from` continues with older ones. */
export async function pageLiveSessions(
  db: Db,
  userId: string,
  now: number,
  page: PageRequest,
): Promise<Page<Session>> {
  let query = liveSessionsOf(db, userId, now).limit(page.limit + 1);
  const from = page.from;
  if (from) {
    query = query.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('created_at', 'id'), '<', tuple(from.at, from.id)),
    );
  }
  const rows = await query.execute();
  return toPage(rows.map(toSession), page.limit, (s) => ({ at: s.createdAt, id: s.id }));
}

export interface Revocation {
  now: number;
  reason: string;
}

/** Revokes one session of this user; false when it is not theirs or not live. */
export async function revokeOwnSession(
  db: Db,
  userId: string,
  sessionId: string,
  revocation: Revocation,
): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: revocation.now, revoked_reason: revocation.reason })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Revokes every live session of a user except `keepSessionId`; returns the ids revoked. */
export async function revokeUserSessions(
  db: Db,
  userId: string,
  revocation: Revocation,
  keepSessionId?: string,
): Promise<string[]> {
  let query = db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keepSessionId) query = query.where('id', '!=', keepSessionId);
  const ids = (await query.execute()).map((r) => r.id);
  if (ids.length > 0) {
    await db
      .updateTable('sessions')
      .set({ revoked_at: revocation.now, revoked_reason: revocation.reason })
      .where('id', 'in', ids)
      .execute();
  }
  return ids;
}

/**
 * Gives a live session a new cookie token, if it still has `fromHash`: of
 * two rotations of one token, one wins. False when it lost or is not live.
 */
export async function replaceSessionToken(
  db: Db,
  id: string,
  fromHash: string,
  toHash: string,
): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({ token_hash: toHash })
    .where('id', '=', id)
    .where('token_hash', '=', fromHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A re-authentication on a live session: its new methods, assurance and time; false when it is no longer live. */
export async function setSessionAuthentication(
  db: Db,
  id: string,
  auth: {
    amr: readonly string[];
    acr: string;
    authTime: number;
    restriction: 'mfa_enrollment' | null;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({
      amr: JSON.stringify(auth.amr),
      acr: auth.acr,
      auth_time: auth.authTime,
      restriction: auth.restriction,
    })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
