import { seal } from '../../crypto/secret-box.js';
import {
  listSealedSecrets,
  type SealedKind,
  type SealedSecret,
  updateSealedSecret,
} from '../../store/repositories/sealed-secrets.js';
import type { Db } from '../../store/schema.js';
import { aadOf, SEALED_KINDS, sealedLabel, tryOpen } from './sealed-kinds.js';

/** The rotation did not run: nothing was written. `code` is stable. */
export class SecretRotationRefused extends Error {
  override readonly name = 'SecretRotationRefused';
  readonly code = 'secret_rotation_refused';
}

export interface RotationResult {
  /** Boxes re-sealed from the old secret to the new one, per kind. */
  resealed: Record<SealedKind, number>;
  /** Boxes the new secret already opened (a rotation run before): left as they are. */
  alreadyNew: number;
}

interface Plan {
  reseal: Array<SealedSecret & { plaintext: string }>;
  alreadyNew: number;
  unopened: SealedSecret[];
}

/**
 * Re-seals every box from `oldKey` to `newKey` in one transaction. Idempotent:
 * a box the new key opens already is skipped, so running it twice (or after
 * an instance on the old secret wrote more) is safe. Refuses, writing nothing,
 * when a box opens under neither key.
 */
export async function rotateSecret(
  db: Db,
  oldKey: Buffer,
  newKey: Buffer,
): Promise<RotationResult> {
  if (oldKey.equals(newKey))
    throw new SecretRotationRefused('the old and the new secret are the same');
  return db.transaction().execute(async (trx) => {
    const plan = await planRotation(trx, oldKey, newKey);
    const first = plan.unopened[0];
    if (first)
      throw new SecretRotationRefused(
        `the old secret does not open ${plan.unopened.length} sealed value(s), first among the ${sealedLabel[first.kind]} (${first.kind} ${first.id}); nothing was changed`,
      );
    const resealed: Record<SealedKind, number> = {
      'signing-key': 0,
      'totp-factor': 0,
      'oidc-provider': 0,
    };
    for (const { plaintext, ...secret } of plan.reseal) {
      const box = seal(newKey, plaintext, aadOf(secret));
      if (await updateSealedSecret(trx, { ...secret, box })) resealed[secret.kind] += 1;
    }
    return { resealed, alreadyNew: plan.alreadyNew };
  });
}

async function planRotation(db: Db, oldKey: Buffer, newKey: Buffer): Promise<Plan> {
  const plan: Plan = { reseal: [], alreadyNew: 0, unopened: [] };
  for (const kind of SEALED_KINDS) {
    for (const secret of await listSealedSecrets(db, kind)) {
      const plaintext = tryOpen(oldKey, secret);
      if (plaintext !== undefined) plan.reseal.push({ ...secret, plaintext });
      else if (tryOpen(newKey, secret) !== undefined) plan.alreadyNew += 1;
      else plan.unopened.push(secret);
    }
  }
  return plan;
}
