/** A user's sessions as an admin sees and ends them. */
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { listLiveSessions, type Session } from '../store/repositories/sessions.js';
import { findUserById } from '../store/repositories/users.js';
import { audit } from './audit.js';
import type { RequestMeta } from './meta.js';
import { revokeSessionById } from './sessions.js';
import { withRevocations } from './tokens/revocations.js';

async function mustExist(core: Core, userId: string): Promise<void> {
  if (!(await findUserById(core.store.db, userId)))
    throw new AuthError('not_found', 'No such user.');
}

/** The user's live sessions, newest first: at most `session.maxPerUser`, so one page. */
export async function listUserSessions(core: Core, userId: string): Promise<Session[]> {
  await mustExist(core, userId);
  return listLiveSessions(core.store.db, userId, core.clock.now());
}

/**
 * Ends one session of the user with its refresh tokens; its access tokens die
 * on every instance through the revocation feed once this commits. A session
 * of another user, an ended one or an unknown id is a 404, audited never.
 */
export async function revokeUserSession(
  core: Core,
  userId: string,
  sessionId: string,
  by: { actorId: string | null },
  meta: RequestMeta,
): Promise<void> {
  await mustExist(core, userId);
  await withRevocations(core, async (revoke) => {
    if (!(await revokeSessionById(core, userId, sessionId, 'admin_revoked', revoke)))
      throw new AuthError('not_found', 'No such live session of this user.');
    const detail = { by: by.actorId, count: 1, reason: 'admin_revoked', sessionId };
    await audit(
      core,
      { type: 'session_revoked', outcome: 'success', userId, detail },
      meta,
      revoke.db,
    );
  });
}
