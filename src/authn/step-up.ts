import type { Core } from '../core.js';
import { type StepUpDemand, StepUpRequiredError } from '../errors.js';
import type { Principal } from '../principal.js';
import { acrSatisfies } from './login/assurance.js';

export type { StepUpDemand };

/**
 * Password change, adding or removing a factor, API-key creation: a sign-in
 * within `stepUp.recentLoginSeconds` (10 minutes by default).
 */
export const RECENT_LOGIN: StepUpDemand = { recentLogin: true };

/** The demand with `recentLogin` turned into the configured `maxAgeSeconds`. */
function resolveDemand(core: Core, demand: StepUpDemand): StepUpDemand {
  if (!demand.recentLogin) return demand;
  const configured = core.settings.stepUp.recentLoginSeconds;
  const maxAgeSeconds =
    demand.maxAgeSeconds === undefined ? configured : Math.min(demand.maxAgeSeconds, configured);
  return { maxAgeSeconds, ...(demand.acr === undefined ? {} : { acr: demand.acr }) };
}

/** The error for a caller whose login does not meet `demand`, saying what it lacks. */
export function stepUpRequired(principal: Principal, demand: StepUpDemand): StepUpRequiredError {
  if (principal.authTime === undefined)
    return new StepUpRequiredError(demand, 'This action needs a sign-in, not a key.');
  const needs = [
    ...(demand.maxAgeSeconds === undefined ? [] : [`within the last ${demand.maxAgeSeconds} s`]),
    ...(demand.acr === undefined ? [] : [`at ${demand.acr}`]),
  ];
  return new StepUpRequiredError(
    demand,
    needs.length === 0
      ? 'This action needs a more recent or stronger sign-in.'
      : `This action needs a sign-in ${needs.join(' and ')}.`,
  );
}

/**
 * Throws `step_up_required` (401, RFC 9470) unless the caller's login meets
 * the demand. A credential with no login behind it (an API key, Basic)
 * never meets a demand: it cannot re-authenticate.
 */
export function requireStepUp(core: Core, principal: Principal, wanted: StepUpDemand): void {
  const demand = resolveDemand(core, wanted);
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
