import type { Principal } from '../authn/principal.js';
import type { Policy } from './policy-types.js';

/** Answers "may this caller use this permission?" for route guards. Deny by default. */
export interface PermissionChecker {
  hasPermission(principal: Principal, permission: string): boolean;
}

/**
 * Route-level permissions (`users:manage`, `posts:create`) answered by the
 * policy engine: the permission is the engine's `<type>:<action>`, and a
 * caller holds it when one of its roles does (with inheritance) and the
 * credential's scopes, if narrowed, include it. A permission the policy does
 * not declare is denied. Object-level rules (ownership, attributes, ACL) are
 * decided per resource by `requireAccess`.
 */
export function policyPermissions(policy: Policy): PermissionChecker {
  return {
    hasPermission(principal, permission) {
      const entry = policy.permissions.get(permission);
      if (entry === undefined) return false;
      if (principal.scopes !== undefined && !principal.scopes.includes(permission)) return false;
      return principal.roles.some((role) => entry.grantingRoles.has(role));
    },
  };
}
