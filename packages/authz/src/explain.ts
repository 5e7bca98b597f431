/** Why a decision came out the way it did: the deciding step and every step considered. */

import { evaluate, type TraceStep, withStepUp } from './decide.js';
import type { DecisionContext } from './environment.js';
import type { Decision, Policy } from './policy-types.js';
import type { Principal } from './principal.js';
import type { ResourceInput } from './resource.js';

export interface Explanation extends Decision {
  /** The step that decided; undefined for `default_deny` and `action:unknown`. */
  readonly decidedBy: TraceStep | undefined;
  /** Every rule, ACL check and role looked at, in evaluation order, with its outcome. */
  readonly considered: readonly TraceStep[];
}

export function explain(
  policy: Policy,
  principal: Principal,
  action: string,
  resource: ResourceInput,
  context?: DecisionContext,
): Explanation {
  const considered: TraceStep[] = [];
  const evaluated = evaluate(policy, principal, action, resource, context, considered);
  const decision = withStepUp(evaluated, policy, principal, action, resource, context);
  return {
    allowed: decision.allowed,
    reason: decision.reason,
    ...(decision.stepUp === undefined ? {} : { stepUp: decision.stepUp }),
    decidedBy: considered.find(
      (step) => step.outcome === 'matched' && reasonOf(step) === decision.reason,
    ),
    considered,
  };
}

function reasonOf(step: TraceStep): string {
  if (step.source === 'acl') return step.effect === 'allow' ? 'acl:granted' : 'acl:not_granted';
  if (step.source === 'scope') return 'scope:excluded';
  return `${step.source}:${step.id}`;
}
