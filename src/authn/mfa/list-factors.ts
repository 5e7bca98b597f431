import type { Core } from '../../core.js';
import { countUnusedRecoveryCodes } from '../../store/repositories/recovery-codes.js';
import { secondFactors } from './registry.js';
import type { FactorSummary } from './second-factor.js';

export interface FactorList {
  factors: FactorSummary[];
  /** Unused recovery codes (dormant ones too, when no other factor is left). */
  recoveryCodesRemaining: number;
}

/** What the account page shows of the caller's second factors: never a secret. */
export async function listFactors(core: Core, userId: string): Promise<FactorList> {
  const lists = await Promise.all(secondFactors.map((factor) => factor.list(core, userId)));
  return {
    factors: lists.flat(),
    recoveryCodesRemaining: await countUnusedRecoveryCodes(core.store.db, userId),
  };
}
