/**
 * The decision function. Precedence, first match wins:
 *
 *   1. unknown action, or an action of another resource type → deny `action:unknown`
 *   2. the credential is narrowed (`principal.scopes`) and the action is not in
 *      its scopes → deny `scope:excluded`
 *   3. an explicit deny rule matches → deny `rule:<id>` (a deny beats every allow,
 *      ACL grants included)
 *   4. the resource type takes ACL grants and a grant on this resource names the
 *      principal (as user, or as a group = one of its roles or `groups`):
 *      the ACL alone decides → allow `acl:granted` or deny `acl:not_granted`.
 *      This is how ACL entries override RBAC defaults per resource, both ways.
 *   5. a role of the principal (with inheritance) holds the permission → allow `role:<name>`
 *   6. an allow rule matches → allow `rule:<id>`
 *   7. otherwise → deny `default_deny`
 *
 * A rule matches when the principal has one of its `roles` (if any), the
 * caller owns the resource (if `owner: true`) and its `when` holds. The clock
 * and IP come from `context`; without a context, env conditions never hold.
 */
import type { Principal } from '../authn/principal.js';
import { aclOutcome } from './acl.js';
import { EvalScope } from './condition-eval.js';
import type { DecisionContext } from './environment.js';
import type { Decision, Policy, Rule } from './policy-types.js';
import type { ResourceInput } from './resource.js';

export type { Decision } from './policy-types.js';

export interface TraceStep {
  readonly source: 'scope' | 'rule' | 'acl' | 'role';
  /** Rule id, role name, or `acl` / `scope`. */
  readonly id: string;
  readonly effect: 'allow' | 'deny';
  readonly outcome: 'matched' | 'not_matched';
  /** Line in the policy file, for rules and roles. */
  readonly line?: number;
}

const UNKNOWN_ACTION: Decision = Object.freeze({ allowed: false, reason: 'action:unknown' });
const SCOPE_EXCLUDED: Decision = Object.freeze({ allowed: false, reason: 'scope:excluded' });
const ACL_GRANTED: Decision = Object.freeze({ allowed: true, reason: 'acl:granted' });
const ACL_NOT_GRANTED: Decision = Object.freeze({ allowed: false, reason: 'acl:not_granted' });
export const DEFAULT_DENY: Decision = Object.freeze({ allowed: false, reason: 'default_deny' });

export function decide(
  policy: Policy,
  principal: Principal,
  action: string,
  resource: ResourceInput,
  context?: DecisionContext,
): Decision {
  return evaluate(policy, principal, action, resource, context, undefined);
}

/** The engine; with `trace`, every step is evaluated and recorded, and the result is the same. */
export function evaluate(
  policy: Policy,
  principal: Principal,
  action: string,
  resource: ResourceInput,
  context: DecisionContext | undefined,
  trace: TraceStep[] | undefined,
): Decision {
  const entry = policy.permissions.get(action);
  if (entry === undefined || entry.resourceType !== resource.type) return UNKNOWN_ACTION;
  if (principal.scopes !== undefined && !principal.scopes.includes(action)) {
    trace?.push({ source: 'scope', id: 'scope', effect: 'deny', outcome: 'matched' });
    return SCOPE_EXCLUDED;
  }
  let decision: Decision | undefined;
  let scope: EvalScope | undefined;
  const matches = (rule: Rule): boolean => {
    if (rule.memberRoles !== undefined && !principal.roles.some((r) => rule.memberRoles?.has(r)))
      return false;
    if (rule.test === undefined) return true;
    scope ??= new EvalScope(principal, resource, context, policy.clock);
    return rule.test(scope);
  };
  const record = (
    source: TraceStep['source'],
    id: string,
    effect: TraceStep['effect'],
    hit: boolean,
    line?: number,
  ): void => {
    trace?.push({
      source,
      id,
      effect,
      outcome: hit ? 'matched' : 'not_matched',
      ...(line === undefined ? {} : { line }),
    });
  };

  for (const rule of entry.denyRules) {
    const hit = matches(rule);
    record('rule', rule.id, 'deny', hit, rule.line);
    if (hit && decision === undefined) {
      decision = rule.decision;
      if (trace === undefined) return decision;
    }
  }
  if (entry.aclGoverned) {
    const type = policy.resourceTypes.get(entry.resourceType);
    const outcome =
      type === undefined ? 'none' : aclOutcome(type, entry.action, principal, resource.acl);
    if (outcome !== 'none') {
      record('acl', 'acl', outcome === 'granted' ? 'allow' : 'deny', true);
      decision ??= outcome === 'granted' ? ACL_GRANTED : ACL_NOT_GRANTED;
      if (trace === undefined) return decision;
    }
  }
  for (const role of principal.roles) {
    const info = policy.roles.get(role);
    if (info === undefined) continue;
    const hit = entry.grantingRoles.has(role);
    record('role', role, 'allow', hit, info.line);
    if (hit && decision === undefined) {
      decision = info.decision;
      if (trace === undefined) return decision;
    }
  }
  for (const rule of entry.allowRules) {
    const hit = matches(rule);
    record('rule', rule.id, 'allow', hit, rule.line);
    if (hit && decision === undefined) {
      decision = rule.decision;
      if (trace === undefined) return decision;
    }
  }
  return decision ?? DEFAULT_DENY;
}
