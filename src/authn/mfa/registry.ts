import type { Core } from '../../core.js';
import { recoveryCodeFactor } from './recovery-code-factor.js';
import type { SecondFactor, SecondFactorMethod } from './second-factor.js';
import { smsFactor } from './sms/sms-factor.js';
import { totpFactor } from './totp-factor.js';
import { webauthnFactor } from './webauthn.js';

/** Every second factor Gatehouse knows, in `SECOND_FACTOR_METHODS` order. */
export const secondFactors: readonly SecondFactor[] = [
  webauthnFactor,
  totpFactor,
  recoveryCodeFactor,
  smsFactor,
];

export const secondFactorOf = (method: SecondFactorMethod): SecondFactor | undefined =>
  secondFactors.find((factor) => factor.method === method);

/**
 * The second factors this user has, in the order a client should offer them.
 * Recovery codes back another factor up and count only beside one: codes
 * left alone (their factor removed) are dormant, neither asked for nor
 * accepted, until a factor is added again.
 */
export async function enrolledMethods(core: Core, userId: string): Promise<SecondFactorMethod[]> {
  const enrolled = await Promise.all(
    secondFactors.map(async (factor) =>
      (await factor.isEnrolled(core, userId)) ? factor.method : null,
    ),
  );
  const methods = enrolled.filter((method) => method !== null);
  return methods.every((method) => method === 'recovery_code') ? [] : methods;
}

/**
 * The methods that may complete a login challenge whose first step proved
 * `firstAmr`: the account's second factors, less the one the first step was.
 * Only a passkey yields `hwk`, so a passkey's sign-in cannot be completed by a
 * passkey: one key used twice (the same, or a second one of the account) is
 * still one factor, and must not stand in for the app or the phone.
 */
export async function methodsToComplete(
  core: Core,
  userId: string,
  firstAmr: readonly string[],
): Promise<SecondFactorMethod[]> {
  const used: SecondFactorMethod | null =
    firstAmr.includes('hwk') || firstAmr.includes('swk') ? 'webauthn' : null;
  return (await enrolledMethods(core, userId)).filter((method) => method !== used);
}
