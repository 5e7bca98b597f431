import type { Core } from '../../core.js';
import {
  countUnusedRecoveryCodes,
  useRecoveryCode,
} from '../../store/repositories/recovery-codes.js';
import type { User } from '../../store/repositories/users.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';
import { pageLink } from '../page-links.js';
import { requestSource, sendTemplatedMail } from '../send-mail.js';
import { recoveryCodeHash } from './recovery-code-format.js';
import type { SecondFactor } from './second-factor.js';

/**
 * A recovery code: a one-time code on paper (amr `otp`, like TOTP; the audit
 * tells them apart: `mfa_verify` names the method and `recovery_code_used`
 * follows). Each works once, even under parallel use. Codes are counted in
 * GET /auth/mfa, not listed.
 */
export const recoveryCodeFactor: SecondFactor = {
  method: 'recovery_code',
  isEnrolled: async (core, userId) => (await countUnusedRecoveryCodes(core.store.db, userId)) > 0,
  list: async () => [],
  async verify(core, user, proof, context) {
    const hash = proof.code === undefined ? null : recoveryCodeHash(proof.code);
    if (hash === null) return null;
    if (!(await useRecoveryCode(core.store.db, user.id, hash, core.clock.now()))) return null;
    await tellOwner(core, user, context.meta);
    return ['otp'];
  },
};

/** A used code is audited and mailed: the owner learns if someone else has their sheet. */
async function tellOwner(core: Core, user: User, meta: RequestMeta): Promise<void> {
  const remaining = await countUnusedRecoveryCodes(core.store.db, user.id);
  await audit(
    core,
    { type: 'recovery_code_used', outcome: 'success', userId: user.id, detail: { remaining } },
    meta,
  );
  await sendTemplatedMail(core, 'recovery_code_used', user.email, {
    ip: requestSource(meta),
    remaining,
    accountLink: pageLink(core, 'account'),
  });
}
