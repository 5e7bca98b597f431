/**
 * Whether a denial is a step-up (RFC 9470): the same question decided again
 * as if the caller had just signed in, at their level and then at `aal2`. If
 * such a login would be allowed, what refused the real one was a rule's
 * `auth.*` condition, and the answer names the login it needs. Only
 * permissions with a rule that reads `auth.*` are asked again.
 */

import type { DecisionContext } from './environment.js';
import type { PermissionEntry } from './policy-types.js';
import type { Principal } from './principal.js';
import type { StepUpDemand } from './step-up-demand.js';

/** Decides for another principal: the engine, without the step-up analysis. */
export type Redecide = (principal: Principal) => boolean;

export function stepUpDemand(
  entry: PermissionEntry | undefined,
  principal: Principal,
  context: DecisionContext | undefined,
  redecide: Redecide,
): StepUpDemand | undefined {
  if (entry?.readsAuth !== true || context === undefined) return undefined;
  const now = context.now.getTime();
  const maxAge =
    entry.maxAuthAgeSeconds === undefined ? {} : { maxAgeSeconds: entry.maxAuthAgeSeconds };
  const fresh = (acr: 'aal1' | 'aal2'): Principal => ({
    ...principal,
    authTime: now,
    acr,
    amr: principal.amr ?? [],
  });
  if (redecide(fresh(principal.acr ?? 'aal1'))) return maxAge;
  if (principal.authTime !== undefined && redecide({ ...principal, acr: 'aal2' }))
    return { acr: 'aal2' };
  if (redecide(fresh('aal2'))) return { ...maxAge, acr: 'aal2' };
  return undefined;
}
