import type { Policy } from '@gatehouse/authz';
import { UnknownRoleError } from '../errors.js';

/**
 * Refuses a role the policy does not define before it is stored: a typo
 * (`admn`) would otherwise grant nothing silently, and a role the policy adds
 * later would suddenly grant what nobody chose to give.
 */
export function assertKnownRoles(policy: Policy, roles: readonly string[]): void {
  const unknown = roles.find((role) => !policy.roles.has(role));
  if (unknown !== undefined) throw new UnknownRoleError(unknown);
}
