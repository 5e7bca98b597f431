import { ConfigError } from '../../errors.js';
import { listSealedSecrets } from '../../store/repositories/sealed-secrets.js';
import type { Db } from '../../store/schema.js';
import { SEALED_KINDS, sealedLabel, tryOpen } from './sealed-kinds.js';

/**
 * At start-up: the configured secret must open what is sealed in the
 * database, else every login would fail with a bare crypto error. One box of
 * each kind is tried (they are all sealed under one secret, and a rotation
 * re-seals all of them in one transaction).
 */
export async function checkSecretKeyOpensSealed(db: Db, secretKey: Buffer): Promise<void> {
  for (const kind of SEALED_KINDS) {
    const [sample] = await listSealedSecrets(db, kind, 1);
    if (sample && tryOpen(secretKey, sample) === undefined)
      throw new ConfigError(
        'secretKey',
        `the ${sealedLabel[kind]} were sealed with another secret: set the GATEHOUSE_SECRET_KEY they were sealed with, or rotate it with \`gatehouse secret rotate\``,
      );
  }
}
