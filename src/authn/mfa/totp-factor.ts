import type { Core } from '../../core.js';
import { open } from '../../crypto/secret-box.js';
import {
  acceptTotpStep,
  findActiveTotp,
  type TotpFactor,
} from '../../store/repositories/totp-factors.js';
import type { Db } from '../../store/schema.js';
import type { SecondFactor } from './second-factor.js';
import { type TotpParameters, totpStepOf } from './totp.js';

/** The aad of a factor's sealed secret: a box copied to another row does not open. */
export const totpSecretAad = (factorId: string) => `totp-factor:${factorId}`;

const parametersOf = (factor: TotpFactor): TotpParameters => ({
  algorithm: factor.algorithm,
  digits: factor.digits,
  periodSeconds: factor.periodSeconds,
});

const secretOf = (core: Core, factor: TotpFactor): string =>
  open(core.secretKey, factor.secretSealed, totpSecretAad(factor.id));

/**
 * Checks a code against a factor and accepts its time step, atomically: a
 * step at or before the last accepted one is refused (replay), so a code
 * works once, and of parallel uses of it exactly one wins. `confirm`
 * activates a pending factor with its first code; `db` joins a transaction.
 */
export async function acceptTotpCode(
  core: Core,
  factor: TotpFactor,
  code: string,
  confirm: boolean,
  db: Db = core.store.db,
): Promise<boolean> {
  const now = core.clock.now();
  const step = totpStepOf(secretOf(core, factor), parametersOf(factor), code, now);
  if (step === null) return false;
  return acceptTotpStep(db, factor.id, step, now, confirm);
}

/** An authenticator app (RFC 6238): amr `otp`. */
export const totpFactor: SecondFactor = {
  method: 'totp',
  isEnrolled: async (core, userId) => (await findActiveTotp(core.store.db, userId)) !== null,
  async list(core, userId) {
    const factor = await findActiveTotp(core.store.db, userId);
    if (!factor) return [];
    return [
      {
        id: factor.id,
        method: 'totp',
        name: null,
        createdAt: factor.confirmedAt ?? factor.createdAt,
        lastUsedAt: factor.lastUsedAt,
      },
    ];
  },
  async verify(core, user, proof) {
    if (proof.code === undefined) return null;
    const factor = await findActiveTotp(core.store.db, user.id);
    if (!factor) return null;
    return (await acceptTotpCode(core, factor, proof.code, false)) ? ['otp'] : null;
  },
};
