import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import { countSignInFactors, lockFactorOwner } from '../../store/repositories/sign-in-factors.js';
import type { Db } from '../../store/schema.js';

/**
 * The one rule for every factor removal: an account without a password keeps
 * at least one factor (a passkey, an app, a phone), or it would be left with
 * nothing but its mailbox. Runs in the removal's transaction: `lockOwner`
 * first, then the removal, then `refuseIfNoWayIn`, which throws 409 and so
 * rolls the removal back.
 */
export async function lockOwner(
  core: Core,
  trx: Db,
  userId: string,
): Promise<{ hasPassword: boolean }> {
  const owner = await lockFactorOwner(trx, userId, core.store.dialect === 'postgres');
  if (!owner) throw new AuthError('not_found', 'No such account.');
  return owner;
}

export async function refuseIfNoWayIn(
  trx: Db,
  userId: string,
  owner: { hasPassword: boolean },
): Promise<void> {
  if (owner.hasPassword || (await countSignInFactors(trx, userId)) > 0) return;
  throw new AuthError(
    'conflict',
    'This is the last way into an account without a password: add another before removing it.',
  );
}
