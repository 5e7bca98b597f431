import { createHmac, randomUUID } from 'node:crypto';
import type { Core } from '../../core.js';
import { randomToken, sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import {
  findRefreshTokenByHash,
  findSuccessor,
  insertRefreshToken,
  markRotated,
  type RefreshTokenRow,
} from '../../store/repositories/refresh-tokens.js';
import {
  findLiveSessionById,
  type Session,
  touchSession,
} from '../../store/repositories/sessions.js';
import { findUserById, type User, withoutSecret } from '../../store/repositories/users.js';
import type { Db } from '../../store/schema.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';
import { revokeSessionById } from '../sessions.js';
import { withRevocations } from './revocations.js';

/**
 * Refresh tokens are opaque, 256-bit, bound to one session, and only their
 * SHA-256 is stored. Each use rotates: the presented token dies and a successor
 * is returned. The successor is derived, HMAC(server secret, parent id), so:
 *
 * - Two truly concurrent refreshes with the same token (a client racing itself)
 *   both succeed: the one that loses the rotation, if it comes within
 *   `tokens.refreshGraceSeconds` (default 10 s) and the successor is still
 *   unused, gets the *same* successor back. Nobody is logged out by accident.
 * - Any other reuse of a rotated token is treated as theft: the session, and
 *   with it every token of its family, is revoked, an audit event is written,
 *   and 401 comes back.
 * A stolen database yields neither usable tokens nor successors (no secret).
 */
const successorOf = (core: Core, parentId: string): string =>
  createHmac('sha256', core.secretKey).update(`refresh-successor:${parentId}`).digest('base64url');

const invalid = (detail = 'The refresh token is invalid, expired or revoked.') =>
  new AuthError('invalid_refresh_token', detail);

/** The first refresh token of a session (at login). */
export async function startRefreshFamily(
  core: Core,
  sessionId: string,
  db: Db = core.store.db,
): Promise<string> {
  const token = randomToken();
  await insertRefreshToken(db, {
    id: randomUUID(),
    session_id: sessionId,
    token_hash: sha256(token),
    parent_id: null,
    created_at: core.clock.now(),
  });
  return token;
}

export interface Redeemed {
  user: User;
  session: Session;
  refreshToken: string;
}

/**
 * Spends the token, stores its successor and slides the session, all or
 * nothing: a failure half-way must not leave the client holding a spent token
 * that its retry (after the grace window) would present as a theft.
 */
async function rotate(core: Core, row: RefreshTokenRow, session: Session): Promise<boolean> {
  const now = core.clock.now();
  return core.store.db.transaction().execute(async (trx) => {
    if (!(await markRotated(trx, row.id, now))) return false;
    await insertRefreshToken(trx, {
      id: randomUUID(),
      session_id: row.session_id,
      token_hash: sha256(successorOf(core, row.id)),
      parent_id: row.id,
      created_at: now,
    });
    // A token-only client never sends the cookie; its refreshes are its activity.
    await touchSession(trx, session, now, core.settings.session.idleTimeoutSeconds * 1000);
    return true;
  });
}

export async function redeemRefreshToken(
  core: Core,
  token: string,
  meta: RequestMeta,
): Promise<Redeemed> {
  const row = await findRefreshTokenByHash(core.store.db, sha256(token));
  if (!row) throw invalid();
  const now = core.clock.now();
  const session = await findLiveSessionById(core.store.db, row.session_id, now);
  const user = session ? await findUserById(core.store.db, session.userId) : null;
  if (!session || !user || user.bannedAt !== null) throw invalid();

  if (row.rotated_at === null && (await rotate(core, row, session))) {
    return { user: withoutSecret(user), session, refreshToken: successorOf(core, row.id) };
  }
  const current = (await findRefreshTokenByHash(core.store.db, row.token_hash)) ?? row;
  const successor = await findSuccessor(core.store.db, row.id);
  const withinGrace =
    current.rotated_at !== null &&
    now - current.rotated_at <= core.settings.tokens.refreshGraceSeconds * 1000;
  if (withinGrace && successor && successor.rotated_at === null) {
    return { user: withoutSecret(user), session, refreshToken: successorOf(core, row.id) };
  }
  // The revocation and its audit event commit together.
  await withRevocations(core, async (revoke) => {
    await revokeSessionById(core, session.userId, session.id, 'refresh_token_reuse', revoke);
    const detail = { sessionId: session.id };
    const event = {
      type: 'refresh_token_reuse',
      outcome: 'failure',
      userId: user.id,
      detail,
    } as const;
    await audit(core, event, meta, revoke.db);
  });
  throw invalid('The refresh token was already used; the session has been revoked.');
}
