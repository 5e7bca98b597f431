/**
 * Permissions and roles answered from a verified token, with the policy file
 * Gatehouse uses. The rule, the same as Gatehouse's engine applies to its own
 * routes (roles, then scopes narrow them):
 *
 * - A permission (`posts:read`) is granted when one of the token's `roles`
 *   holds it in the policy, inheritance included.
 * - A token narrowed by scopes may use only the permissions its scopes name
 *   (scope `posts:read` ↔ permission `posts:read`). A token is narrowed when
 *   it carries a `scope`, or when it was issued to an OAuth client
 *   (`client_id`: the provider's tokens, where the user delegated only that
 *   scope; with no scope such a token is narrowed to nothing). A Gatehouse
 *   login token has neither and is answered by its roles alone.
 * - A role route (`requireRole('admin')`) admits only tokens that are not
 *   narrowed: a scope cannot name a role, so an app the user delegated
 *   `posts:read` to never reaches an admin route with the user's token.
 * - A machine token (client credentials) has no roles: it passes no
 *   permission or role check; `requireScope` is its check.
 * - A token limited to enrolling a second factor (`restriction`, accepted only
 *   with `acceptRestricted`) passes none either.
 *
 * Roles are those the token was minted with (`rv` is their version). With the
 * revocation feed configured, a token minted before a role change is refused
 * (401 `token_revoked`) once the feed reports it, and the client's refreshed
 * token carries the new roles; without it, a change arrives with the next
 * token, at the latest at `exp`.
 *
 * What a token cannot answer is refused at start-up (a TypeError), never
 * silently denied: an unknown permission or role, and a permission with deny
 * rules (their conditions read the user's attributes or the resource, which
 * the token does not carry: decide those in the handler with `decide` from
 * @gatehouse/authz). Allow rules beyond roles are not applied here: the check
 * can only be stricter than Gatehouse's engine, never looser.
 */
import type { ChallengeOptions } from './http-failure.js';
import type { VerifiedAccessToken } from './verified-access-token.js';
import { VerifyError } from './verify-error.js';

/**
 * The part of a loaded policy the checks read. @gatehouse/authz's `Policy`
 * (`loadPolicy('policy.yaml')`) satisfies it, so this package need not depend on it.
 */
export interface PermissionPolicy {
  /** Every declared permission (`<type>:<action>`) with the deny rules that apply to it. */
  readonly permissions: ReadonlyMap<
    string,
    { readonly denyRules: readonly { readonly id: string }[] }
  >;
  /** Each role with every permission it holds (inheritance included) and the roles it inherits. */
  readonly roles: ReadonlyMap<
    string,
    { readonly permissions: ReadonlySet<string>; readonly inherits: readonly string[] }
  >;
}

/** `requirePermission`'s options: the policy, and the challenge's realm. */
export interface PermissionOptions extends ChallengeOptions {
  readonly policy: PermissionPolicy;
}

/** `requireRole`'s options: with a policy, the role is checked at start-up and inheritance counts. */
export interface RoleOptions extends ChallengeOptions {
  readonly policy?: PermissionPolicy;
}

/** Throws a VerifyError when the token may not pass; built once, at middleware creation. */
export type TokenCheck = (token: VerifiedAccessToken) => void;

/** True when the token's rights are limited to its scopes (see the rule above). */
export const isNarrowed = (token: VerifiedAccessToken): boolean =>
  token.clientId !== undefined || token.scope.length > 0;

/** The check behind `requirePermission`: the permission is validated against the policy now. */
export function permissionCheck(permission: string, policy: PermissionPolicy): TokenCheck {
  assertPolicy(policy);
  const entry = policy.permissions.get(permission);
  if (entry === undefined) {
    throw new TypeError(`requirePermission: the policy declares no permission '${permission}'`);
  }
  if (entry.denyRules.length > 0) {
    const ids = entry.denyRules.map((rule) => rule.id).join(', ');
    throw new TypeError(
      `requirePermission: '${permission}' has deny rules (${ids}) a token cannot answer; decide it with @gatehouse/authz`,
    );
  }
  const granting = new Set(
    [...policy.roles].filter(([, role]) => role.permissions.has(permission)).map(([name]) => name),
  );
  return (token) => {
    assertUnrestricted(token);
    if (isNarrowed(token) && !token.scope.includes(permission)) {
      throw new VerifyError('insufficient_scope', 'scope_missing', { claim: 'scope' });
    }
    if (!token.roles.some((role) => granting.has(role))) {
      throw new VerifyError('forbidden', 'permission_not_granted', { claim: 'roles' });
    }
  };
}

/**
 * The check behind `requireRole`. With the policy, the role must be declared
 * and a role that inherits it passes too (as in a rule's `roles:`); without,
 * the token must name the role itself.
 */
export function roleCheck(role: string, policy?: PermissionPolicy): TokenCheck {
  if (typeof role !== 'string' || role === '') {
    throw new TypeError('requireRole: the role must be a non-empty string');
  }
  const members = policy === undefined ? new Set([role]) : membersOf(role, policy);
  return (token) => {
    assertUnrestricted(token);
    if (isNarrowed(token)) throw new VerifyError('forbidden', 'narrowed_token', { claim: 'scope' });
    if (!token.roles.some((held) => members.has(held))) {
      throw new VerifyError('forbidden', 'role_missing', { claim: 'roles' });
    }
  };
}

/** The role and every declared role that inherits it, directly or not. */
function membersOf(role: string, policy: PermissionPolicy): Set<string> {
  assertPolicy(policy);
  if (!policy.roles.has(role)) {
    throw new TypeError(`requireRole: the policy declares no role '${role}'`);
  }
  const inheritsRole = (name: string, seen: Set<string>): boolean => {
    if (name === role) return true;
    if (seen.has(name)) return false;
    seen.add(name);
    return (policy.roles.get(name)?.inherits ?? []).some((parent) => inheritsRole(parent, seen));
  };
  return new Set([...policy.roles.keys()].filter((name) => inheritsRole(name, new Set())));
}

function assertUnrestricted(token: VerifiedAccessToken): void {
  if (token.restriction !== undefined) {
    throw new VerifyError('forbidden', 'restricted_session', { claim: 'restriction' });
  }
}

function assertPolicy(policy: PermissionPolicy | undefined): void {
  const isMap = (value: unknown): boolean =>
    typeof (value as { get?: unknown } | undefined)?.get === 'function';
  if (!isMap(policy?.permissions) || !isMap(policy?.roles)) {
    throw new TypeError('the policy must be a loaded policy (loadPolicy from @gatehouse/authz)');
  }
}
