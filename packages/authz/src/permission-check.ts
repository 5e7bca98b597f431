import { decide } from './decide.js';
import type { DecisionContext } from './environment.js';
import type { Decision, Policy } from './policy-types.js';
import type { Principal } from './principal.js';
import type { ResourceInput } from './resource.js';

/**
 * The resource a route-level permission (`users:manage`) is decided on: its
 * type, no id, owner or attributes — what `POST /authz/check` decides for
 * `{ type }`. An undeclared permission gets no type, so the engine denies it.
 * Allow rules about one resource do not apply to it (see `typeLevel`): an
 * empty id is "not the caller" and a negated comparison with a missing
 * attribute is true, so they would grant the route to anyone they name.
 */
export function typeLevelResource(policy: Policy, permission: string): ResourceInput {
  return {
    type: policy.permissions.get(permission)?.resourceType ?? '',
    id: '',
    attributes: {},
    typeLevel: true,
  };
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
