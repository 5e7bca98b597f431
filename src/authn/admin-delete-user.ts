import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import { deleteGrantsToUser } from '../store/repositories/acl-grants.js';
import { revokeAllApiKeys } from '../store/repositories/api-keys.js';
import { deleteUserRow, findUserById } from '../store/repositories/users.js';
import { audit } from './audit.js';
import type { RequestMeta } from './meta.js';
import { revokeAllSessions } from './sessions.js';
import { withRevocations } from './tokens/revocations.js';

const notFound = () => new AuthError('not_found', 'No such user.');

/**
 * Deletes a user and everything of theirs in one transaction, for the admin
 * API and `gatehouse user delete` alike. Per table:
 * - sessions (with their refresh tokens), API keys, roles, TOTP apps, recovery
 *   codes, SMS factors and codes, passkeys, WebAuthn and login challenges,
 *   one-time tokens, upstream identities, pending upstream logins and the
 *   provider's grant bindings go with the user row (ON DELETE CASCADE);
 * - ACL grants to the user (no foreign key) are deleted here;
 * - what the OpenID Provider keeps for the account (grants, codes, tokens,
 *   its sessions) is destroyed by the user cut-off, as for a ban;
 * - audit events keep the user id as history (no foreign key, and the
 *   deletion itself is one of them); revocation rows stay until they expire,
 *   which is what makes the deletion reach every instance.
 * Every session, API key and access token is revoked and published once the
 * transaction commits, so the user's tokens stop working at once everywhere.
 * An admin cannot delete themselves (with `actorId`), which also keeps the
 * deleting admin as the admin left; the CLI (no actor) can delete anyone.
 */
export async function deleteUser(
  core: Core,
  userId: string,
  by: { actorId: string | null },
  meta: RequestMeta,
): Promise<void> {
  if (!(await findUserById(core.store.db, userId))) throw notFound();
  if (by.actorId === userId) throw new AuthError('conflict', 'You cannot delete yourself.');
  await withRevocations(core, async (revoke) => {
    const sessions = await revokeAllSessions(core, userId, 'user_deleted', { revoke });
    await revoke.apiKeys(await revokeAllApiKeys(revoke.db, userId, core.clock.now()));
    await revoke.userCutOff(userId);
    await deleteGrantsToUser(revoke.db, userId);
    // Of two deletes at once, the second finds no row here and rolls back: a 404, audited never.
    if (!(await deleteUserRow(revoke.db, userId))) throw notFound();
    await audit(
      core,
      {
        type: 'user_deleted',
        outcome: 'success',
        userId,
        detail: { by: by.actorId, sessions: sessions.length },
      },
      meta,
      revoke.db,
    );
  });
}
