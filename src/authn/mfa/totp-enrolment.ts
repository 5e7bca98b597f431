import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import type { Core } from '../../core.js';
import { seal } from '../../crypto/secret-box.js';
import { AuthError } from '../../errors.js';
import {
  deletePendingTotp,
  deleteTotpFactor,
  findActiveTotp,
  findPendingTotp,
  insertPendingTotp,
} from '../../store/repositories/totp-factors.js';
import type { User } from '../../store/repositories/users.js';
import { isUniqueViolation } from '../../store/unique-violation.js';
import type { RequestMeta } from '../meta.js';
import { recordFactorChange } from './factor-changes.js';
import { lockOwner, refuseIfNoWayIn } from './last-way-in.js';
import { newTotpSecret, TOTP_DEFAULTS, totpUri } from './totp.js';
import { acceptTotpCode, totpSecretAad } from './totp-factor.js';

export interface TotpSetup {
  factorId: string;
  /** Base32, for typing in by hand; shown in this answer only. */
  secret: string;
  uri: string;
  qrSvg: string;
  expiresInSeconds: number;
}

/**
 * Starts a TOTP factor: a new secret, sealed at rest, pending until its
 * first code confirms it. A newer setup replaces an unconfirmed one; an
 * account that already has an active authenticator app gets 409 (remove it
 * first: one per account).
 */
export async function setupTotp(core: Core, user: User): Promise<TotpSetup> {
  const db = core.store.db;
  if (await findActiveTotp(db, user.id))
    throw new AuthError(
      'conflict',
      'This account already has an authenticator app; remove it first.',
    );
  const { totpIssuer, totpAlgorithm, totpDigits, totpSetupLifetimeSeconds } = core.settings.mfa;
  const parameters = { ...TOTP_DEFAULTS, algorithm: totpAlgorithm, digits: totpDigits };
  const id = randomUUID();
  const secret = newTotpSecret();
  const now = core.clock.now();
  await db.transaction().execute(async (trx) => {
    await deletePendingTotp(trx, user.id);
    await insertPendingTotp(trx, {
      id,
      userId: user.id,
      secretSealed: seal(core.secretKey, secret, totpSecretAad(id)),
      ...parameters,
      createdAt: now,
      expiresAt: now + totpSetupLifetimeSeconds * 1000,
    });
  });
  const uri = totpUri(secret, parameters, { issuer: totpIssuer, label: user.email });
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { factorId: id, secret, uri, qrSvg, expiresInSeconds: totpSetupLifetimeSeconds };
}

/** Activates the pending factor with a right code (which is then used up), audited and mailed. */
export async function confirmTotp(
  core: Core,
  user: User,
  code: string,
  meta: RequestMeta,
): Promise<{ factorId: string }> {
  const pending = await findPendingTotp(core.store.db, user.id, core.clock.now());
  if (!pending)
    throw new AuthError('invalid_request', 'No authenticator app setup awaits a code: start one.');
  try {
    // The activation and its audit row commit together, or neither does.
    await core.store.db.transaction().execute(async (trx) => {
      if (!(await acceptTotpCode(core, pending, code, true, trx)))
        throw new AuthError('invalid_code', 'The code is not right.');
      const change = { type: 'factor_added', method: 'totp', factorId: pending.id } as const;
      await recordFactorChange(core, user, change, meta, trx);
    });
  } catch (error) {
    // Another setup of this account was confirmed in the meantime: one app per account.
    if (isUniqueViolation(error))
      throw new AuthError('conflict', 'This account already has an authenticator app.');
    throw error;
  }
  return { factorId: pending.id };
}

/** Removes an authenticator app (or drops an unconfirmed setup, which was never a factor). */
export async function removeTotp(
  core: Core,
  user: User,
  factorId: string,
  meta: RequestMeta,
): Promise<void> {
  await core.store.db.transaction().execute(async (trx) => {
    const owner = await lockOwner(core, trx, user.id);
    const removed = await deleteTotpFactor(trx, user.id, factorId);
    if (!removed) throw new AuthError('not_found', 'No such authenticator app.');
    await refuseIfNoWayIn(trx, user.id, owner);
    if (removed.confirmedAt !== null) {
      const change = { type: 'factor_removed', method: 'totp', factorId } as const;
      await recordFactorChange(core, user, change, meta, trx);
    }
  });
}
