import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import { replaceRecoveryCodes } from '../../store/repositories/recovery-codes.js';
import type { User } from '../../store/repositories/users.js';
import type { RequestMeta } from '../meta.js';
import { recordFactorChange } from './factor-changes.js';
import { newRecoveryCode, recoveryCodeHash } from './recovery-code-format.js';
import { enrolledMethods } from './registry.js';

const RECOVERY_CODE_COUNT = 10;

/**
 * A new set of recovery codes, shown once: the old set, used or not, stops
 * working in the same transaction. Codes back up another second factor, so
 * an account needs one first (409).
 */
export async function generateRecoveryCodes(
  core: Core,
  user: User,
  meta: RequestMeta,
): Promise<string[]> {
  const others = (await enrolledMethods(core, user.id)).filter((m) => m !== 'recovery_code');
  if (others.length === 0)
    throw new AuthError('conflict', 'Recovery codes back up another second factor: add one first.');
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const hashes = codes.map((code) => recoveryCodeHash(code) ?? '');
  await core.store.db.transaction().execute(async (trx) => {
    await replaceRecoveryCodes(trx, user.id, hashes, core.clock.now());
    await recordFactorChange(
      core,
      user,
      { type: 'factor_added', method: 'recovery_code' },
      meta,
      trx,
    );
  });
  return codes;
}
