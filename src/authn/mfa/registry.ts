import type { Core } from '../../core.js';
import type { SecondFactor, SecondFactorMethod } from './second-factor.js';
import { webauthnFactor } from './webauthn.js';

/** Every second factor Gatehouse knows, in `SECOND_FACTOR_METHODS` order. */
export const secondFactors: readonly SecondFactor[] = [webauthnFactor];

export const secondFactorOf = (method: SecondFactorMethod): SecondFactor | undefined =>
  secondFactors.find((factor) => factor.method === method);

/** The second factors this user has, in the order a client should offer them. */
export async function enrolledMethods(core: Core, userId: string): Promise<SecondFactorMethod[]> {
  const enrolled = await Promise.all(
    secondFactors.map(async (factor) =>
      (await factor.isEnrolled(core, userId)) ? factor.method : null,
    ),
  );
  return enrolled.filter((method) => method !== null);
}
