import type { Principal } from '../authn/principal.js';

/** Answers "may this caller use this permission?" for route guards. Deny by default. */
export interface PermissionChecker {
  hasPermission(principal: Principal, permission: string): boolean;
}

/** The permissions of the built-in roles when no policy file is loaded. */
const builtinRoles: Readonly<Record<string, readonly string[]>> = {
  admin: ['users:manage', 'audit:read'],
};

export const builtinPermissions: PermissionChecker = {
  hasPermission(principal, permission) {
    if (principal.scopes && !principal.scopes.includes(permission)) return false;
    return principal.roles.some((role) => builtinRoles[role]?.includes(permission) ?? false);
  },
};
