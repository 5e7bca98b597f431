/**
 * The decision function. Precedence, first match wins:
 *
 *   1. unknown action, or an action of another resource type → deny `action:unknown`
 *   2. the credential is narrowed (`principal.scopes`) and the action is not in
 *      its scopes → deny `scope:excluded`
 *   3. an explicit deny rule matches → deny `rule:<id>` (a deny beats every allow,
 *      ownership and ACL grants included)
 *   4. an ownership rule (an allow rule with `owner: true`) matches → allow
 *      `rule:<id>`. It comes before the ACL so that a grant naming the owner
 *      (say, `read` shared back to them by someone holding `share`) cannot
 *      narrow the owner's own rights.
 *   5. the resource type takes ACL grants and a grant on this resource names the
 *      principal (as user, or as a group = one of its roles or `groups`):
 *      the ACL alone decides → allow `acl:granted` or deny `acl:not_granted`.
 *      This is how ACL entries override RBAC defaults per resource, both ways.
 *   6. a role of the principal (with inheritance) holds the permission → allow `role:<name>`
 *   7. another allow rule matches → allow `rule:<id>`
 *   (4 and 7 skip rules that read the resource when it is `typeLevel`: a
 *   route's permission is never granted by a rule about one object)
 *   8. otherwise → deny `default_deny`
 *
 * A rule matches when the principal has one of its `roles` (if any), the
 * caller owns the resource (if `owner: true`) and its `when` holds. The clock
 * and IP come from `context`; without a context, env conditions never hold
 * (nor `auth.ageSeconds`).
 *
 * A denial that a fresher or stronger login would turn into an allow carries
 * `stepUp` (see step-up.ts): routes answer it with 401 `step_up_required`.
 */

import { aclOutcome } from './acl.js';
import { EvalScope } from './condition-eval.js';
import type { DecisionContext } from './environment.js';
import type { Decision, Policy, Rule } from './policy-types.js';
import type { Principal } from './principal.js';
import type { ResourceInput } from './resource.js';
import { stepUpDemand } from './step-up.js';

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
  return withStepUp(
    evaluate(policy, principal, action, resource, context, undefined),
    policy,
    principal,
    action,
    resource,
    context,
  );
}

/**
 * A denial that a more recent or stronger login would lift carries what
 * that login needs (`stepUp`, see step-up.ts); the reason stays the engine's.
 */
export function withStepUp(
  decision: Decision,
  policy: Policy,
  principal: Principal,
  action: string,
  resource: ResourceInput,
  context: DecisionContext | undefined,
): Decision {
  if (decision.allowed) return decision;
  const stepUp = stepUpDemand(
    policy.permissions.get(action),
    principal,
    context,
    (stronger) => evaluate(policy, stronger, action, resource, context, undefined).allowed,
  );
  return stepUp === undefined ? decision : { ...decision, stepUp };
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
  const scope = entry.hasConditions
    ? new EvalScope(principal, resource, context, policy.clock)
    : undefined;
  let decision = firstApplying(entry.denyRules, 'deny', principal, scope, trace, false);
  if (decision !== undefined && trace === undefined) return decision;
  // Assigned, not `??=`: with a trace every list is walked even once something decided.
  // A question about the type knows no resource: an allow rule about one cannot grant it.
  const aboutType = resource.typeLevel === true;
  const owned = firstApplying(entry.ownerRules, 'allow', principal, scope, trace, aboutType);
  decision ??= owned;
  if (decision !== undefined && trace === undefined) return decision;
  if (entry.aclGoverned && resource.acl !== undefined) {
    const type = policy.resourceTypes.get(entry.resourceType);
    const outcome =
      type === undefined ? 'none' : aclOutcome(type, entry.action, principal, resource.acl);
    if (outcome !== 'none') {
      const granted = outcome === 'granted';
      if (trace !== undefined) trace.push(step('acl', 'acl', granted ? 'allow' : 'deny', true));
      decision ??= granted ? ACL_GRANTED : ACL_NOT_GRANTED;
      if (trace === undefined) return decision;
    }
  }
  const { roles } = principal;
  for (let i = 0; i < roles.length; i += 1) {
    const role = roles[i] as string;
    const granted = entry.grantingRoles.get(role);
    if (granted !== undefined && trace === undefined) return granted;
    const info = policy.roles.get(role);
    if (info === undefined || trace === undefined) continue;
    trace.push(step('role', role, 'allow', granted !== undefined, info.line));
    decision ??= granted;
  }
  const allowed = firstApplying(entry.allowRules, 'allow', principal, scope, trace, aboutType);
  return decision ?? allowed ?? DEFAULT_DENY;
}

/**
 * The decision of the first rule in `rules` that applies. With a trace every
 * rule is still tried and recorded (and the first hit still decides). With
 * `skipAboutOne`, rules that read the resource never apply.
 */
function firstApplying(
  rules: readonly Rule[],
  effect: TraceStep['effect'],
  principal: Principal,
  scope: EvalScope | undefined,
  trace: TraceStep[] | undefined,
  skipAboutOne: boolean,
): Decision | undefined {
  let decision: Decision | undefined;
  for (const rule of rules) {
    const hit =
      !(skipAboutOne && rule.readsResource) &&
      isMember(rule, principal) &&
      (rule.test === undefined || rule.test(scope as EvalScope));
    if (trace === undefined) {
      if (hit) return rule.decision;
      continue;
    }
    trace.push(step('rule', rule.id, effect, hit, rule.line));
    if (hit) decision ??= rule.decision;
  }
  return decision;
}

function isMember(rule: Rule, principal: Principal): boolean {
  const members = rule.memberRoles;
  if (members === undefined) return true;
  for (const role of principal.roles) if (members.has(role)) return true;
  return false;
}

const step = (
  source: TraceStep['source'],
  id: string,
  effect: TraceStep['effect'],
  hit: boolean,
  line?: number,
): TraceStep => ({
  source,
  id,
  effect,
  outcome: hit ? 'matched' : 'not_matched',
  ...(line === undefined ? {} : { line }),
});
