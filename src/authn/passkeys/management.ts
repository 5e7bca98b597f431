import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import {
  deletePasskey,
  findUserPasskey,
  listPasskeys,
  type Passkey,
  renamePasskey,
} from '../../store/repositories/passkeys.js';
import type { RequestMeta } from '../meta.js';
import { recordFactorChange } from '../mfa/factor-changes.js';
import { lockOwner, refuseIfNoWayIn } from '../mfa/last-way-in.js';

const notFound = () => new AuthError('not_found', 'No such passkey.');

export const listUserPasskeys = (core: Core, userId: string): Promise<Passkey[]> =>
  listPasskeys(core.store.db, userId);

export async function renameUserPasskey(
  core: Core,
  userId: string,
  id: string,
  name: string,
): Promise<Passkey> {
  const db = core.store.db;
  if (!(await renamePasskey(db, userId, id, name))) throw notFound();
  const renamed = await findUserPasskey(db, userId, id);
  if (!renamed) throw notFound();
  return renamed;
}

/**
 * Removes one of the user's passkeys. An account never loses its last way in
 * (last-way-in.ts): without a password, its last factor stays (409).
 */
export async function removeUserPasskey(
  core: Core,
  user: { id: string; email: string },
  id: string,
  meta: RequestMeta,
): Promise<void> {
  await core.store.db.transaction().execute(async (trx) => {
    const owner = await lockOwner(core, trx, user.id);
    if (!(await deletePasskey(trx, user.id, id))) throw notFound();
    await refuseIfNoWayIn(trx, user.id, owner);
    await recordFactorChange(
      core,
      user,
      { type: 'factor_removed', method: 'webauthn', factorId: id },
      meta,
      trx,
    );
  });
}
