import type { Principal } from '../principal.js';
import { decide } from './decide.js';
import type { DecisionContext } from './environment.js';
import type { Decision, Policy } from './policy-types.js';
import type { ResourceInput } from './resource.js';

/**
 * The resource a route-level permission (`users:manage`) is decided on: its
 * type, no id, owner or attributes — what `POST /authz/check` decides for
 * `{ type }`. An undeclared permission gets no type, so the engine denies it.
 */
export function typeLevelResource(policy: Policy, permission: string): ResourceInput {
  return { type: policy.permissions.get(permission)?.resourceType ?? '', id: '', attributes: {} };
}

/**
 * A route's permission, decided by the one engine: the same deny rules,
 * scopes and environment (clock, IP) as an object check. No second checker
 * that could disagree with `decide`.
 */
export function decidePermission(
  policy: Policy,
  principal: Principal,
  permission: string,
  context: DecisionContext,
): Decision {
  return decide(policy, principal, permission, typeLevelResource(policy, permission), context);
}
