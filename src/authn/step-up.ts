import type { Core } from '../core.js';
import { type StepUpDemand, StepUpRequiredError } from '../errors.js';
import type { Principal } from '../principal.js';
import { acrSatisfies } from './login/assurance.js';

export type { StepUpDemand };

/** Password change, factor removal and API-key creation: a sign-in within the last 10 minutes. */
export const RECENT_LOGIN: StepUpDemand = { maxAgeSeconds: 600 };

/**
 * Throws `step_up_required` (401, RFC 9470) unless the caller's login meets
 * the demand. A credential with no login behind it (an API key, Basic)
 * never meets a demand: it cannot re-authenticate.
 */
export function requireStepUp(core: Core, principal: Principal, demand: StepUpDemand): void {
  const { maxAgeSeconds, acr } = demand;
  if (maxAgeSeconds === undefined && acr === undefined) return;
  const { authTime } = principal;
  if (authTime === undefined)
    throw new StepUpRequiredError(demand, 'This action needs a sign-in, not a key.');
  if (maxAgeSeconds !== undefined && core.clock.now() - authTime > maxAgeSeconds * 1000)
    throw new StepUpRequiredError(
      demand,
      `This action needs a sign-in within the last ${maxAgeSeconds} s.`,
    );
  if (acr !== undefined && !acrSatisfies(principal.acr, acr))
    throw new StepUpRequiredError(demand, `This action needs a sign-in at ${acr}.`);
}
