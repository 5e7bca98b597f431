/** Per-resource grants (document sharing): which grants name the principal, and what they give. */

import type { ResourceType } from './policy-types.js';
import type { Principal } from './principal.js';
import type { AclGrant } from './resource.js';

/** `granted`: a grant naming the principal gives the action; `not_granted`: grants name the principal but none gives it; `none`: no grant names the principal. */
export type AclOutcome = 'granted' | 'not_granted' | 'none';

/**
 * The subjects a principal acts as for group grants: its roles and the
 * strings of its `groups` attribute.
 */
export function groupsOf(principal: Principal): readonly string[] {
  const groups = principal.attributes.groups;
  if (!Array.isArray(groups)) return principal.roles;
  return [
    ...principal.roles,
    ...groups.filter((group): group is string => typeof group === 'string'),
  ];
}

export function aclOutcome(
  type: ResourceType,
  action: string,
  principal: Principal,
  grants: readonly AclGrant[] | undefined,
): AclOutcome {
  if (grants === undefined || grants.length === 0) return 'none';
  let named = false;
  for (const grant of grants) {
    if (!namesPrincipal(grant, principal)) continue;
    const permissions = grantedPermissions(type, grant);
    if (permissions.length === 0) continue;
    if (permissions.includes(action)) return 'granted';
    named = true;
  }
  return named ? 'not_granted' : 'none';
}

/** The short permissions a grant gives: its explicit list plus its level's, if the level is declared. */
export function grantedPermissions(type: ResourceType, grant: AclGrant): readonly string[] {
  const level = grant.level === undefined ? undefined : type.aclLevels?.get(grant.level);
  if (level === undefined) return grant.permissions ?? [];
  return grant.permissions === undefined ? level : [...grant.permissions, ...level];
}

function namesPrincipal(grant: AclGrant, principal: Principal): boolean {
  if (grant.subjectType === 'user') return grant.subjectId === principal.userId;
  return groupsOf(principal).includes(grant.subjectId);
}
