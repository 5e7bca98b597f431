import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import type { User } from '../../store/repositories/users.js';
import { methodsToComplete, secondFactorOf } from '../mfa/registry.js';
import type { FactorContext, SecondFactorMethod, SecondFactorProof } from '../mfa/second-factor.js';
import { chargeLoginAttempt, refundLoginAttempt, uncountLoginAttempt } from './login-limits.js';

/**
 * One second-factor guess, as both a login challenge and a re-authentication
 * take it: only a method the account has now, by the registry's rules
 * (recovery codes count only beside another factor; the method of the first
 * step, `firstAmr`, does not count again; a re-authentication passes none), charged to the account's
 * second-factor login limits before it is checked (429 past them), given back
 * when right or when it could not be checked. `beforeVerify` runs once the
 * charge is taken (a challenge takes its attempt there). Returns the methods
 * the factor adds to `amr`, or null when the proof is wrong.
 */
export async function attemptSecondFactor(
  core: Core,
  user: User,
  method: SecondFactorMethod,
  proof: SecondFactorProof,
  context: FactorContext,
  firstAmr: readonly string[],
  beforeVerify: () => Promise<void> = async () => {},
): Promise<readonly string[] | null> {
  const factor = secondFactorOf(method);
  if (!factor || !(await methodsToComplete(core, user.id, firstAmr)).includes(method))
    throw new AuthError('invalid_request', `This sign-in cannot be completed with ${method}.`);
  const ip = context.meta.ip;
  await chargeLoginAttempt(core, user.email, ip, 'second_factor');
  let added: readonly string[] | null;
  try {
    await beforeVerify();
    added = await factor.verify(core, user, proof, context);
  } catch (error) {
    await uncountLoginAttempt(core, user.email, ip, 'second_factor');
    throw error;
  }
  if (added) await refundLoginAttempt(core, user.email, ip, 'second_factor');
  return added;
}
