import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import {
  countPasskeys,
  deletePasskey,
  findUserPasskey,
  listPasskeys,
  lockPasskeyOwner,
  type Passkey,
  renamePasskey,
} from '../../store/repositories/passkeys.js';
import type { RequestMeta } from '../meta.js';
import { recordFactorChange } from '../mfa/factor-changes.js';

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
 * Removes one of the user's passkeys. An account never loses its last way in:
 * without a password, its last passkey stays (409). The owner's row is locked
 * (PostgreSQL; SQLite runs one writer at a time), so two parallel removals of
 * an account's last two passkeys cannot both pass the count.
 */
export async function removeUserPasskey(
  core: Core,
  user: { id: string; email: string },
  id: string,
  meta: RequestMeta,
): Promise<void> {
  await core.store.db.transaction().execute(async (trx) => {
    const owner = await lockPasskeyOwner(trx, user.id, core.store.dialect === 'postgres');
    if (!owner) throw notFound();
    if (!(await findUserPasskey(trx, user.id, id))) throw notFound();
    if (!owner.hasPassword && (await countPasskeys(trx, user.id)) <= 1)
      throw new AuthError(
        'conflict',
        'This is the last way into an account without a password: add another before removing it.',
      );
    if (!(await deletePasskey(trx, user.id, id))) throw notFound();
    await recordFactorChange(
      core,
      user,
      { type: 'factor_removed', method: 'webauthn', factorId: id },
      meta,
      trx,
    );
  });
}
