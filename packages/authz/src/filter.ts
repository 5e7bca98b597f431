/**
 * List filtering: instead of asking `decide` once per row, ask once per list
 * and get a condition over resource attributes and ACL grants. The principal
 * and the environment are evaluated away here, with the same code `decide`
 * uses, so a row passes the condition exactly when `decide` would allow it
 * (a property test holds the two together).
 */

import { groupsOf } from './acl.js';
import type { CompareOp, Expr, ListNode, Operand, PathNode } from './condition-ast.js';
import type { ScalarType } from './condition-check.js';
import { compareValues, compileCondition, EvalScope, resolvePath } from './condition-eval.js';
import type { DecisionContext } from './environment.js';
import {
  type AclSubjects,
  and,
  bool,
  FALSE,
  type FilterCondition,
  not,
  or,
  TRUE,
} from './filter-condition.js';
import type { Policy, Rule } from './policy-types.js';
import type { Principal } from './principal.js';

export function filter(
  policy: Policy,
  principal: Principal,
  action: string,
  resourceType: string,
  context?: DecisionContext,
): FilterCondition {
  const entry = policy.permissions.get(action);
  const type = policy.resourceTypes.get(resourceType);
  if (entry === undefined || type === undefined || entry.resourceType !== resourceType)
    return FALSE;
  if (principal.scopes !== undefined && !principal.scopes.includes(action)) return FALSE;
  const residual = new Residual(policy, principal, context, type.attributes);
  const applies = (rule: Rule): boolean =>
    rule.memberRoles === undefined || principal.roles.some((role) => rule.memberRoles?.has(role));
  const rules = (list: readonly Rule[]): FilterCondition =>
    or(...list.filter(applies).map((rule) => residual.rule(rule)));
  // The steps of `decide`, in its order: deny rules, ownership rules, ACL, roles, other allow rules.
  const deny = rules(entry.denyRules);
  const owner = rules(entry.ownerRules);
  const byRole = principal.roles.some((role) => entry.grantingRoles.has(role));
  const rbac = byRole ? TRUE : rules(entry.allowRules);
  if (!entry.aclGoverned) return and(not(deny), or(owner, rbac));
  const subjects: AclSubjects = { userId: principal.userId, groups: groupsOf(principal) };
  const acl = or(
    { kind: 'aclHas', permission: entry.action, subjects },
    and(not({ kind: 'aclAny', subjects }), rbac),
  );
  return and(not(deny), or(owner, acl));
}

const FLIPPED: Readonly<Record<CompareOp, CompareOp>> = {
  '==': '==',
  '!=': '!=',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

/** Partially evaluates rule conditions: everything but `resource.*` becomes a constant. */
class Residual {
  private readonly scope: EvalScope;
  private readonly attributeTypes: ReadonlyMap<string, ScalarType>;

  constructor(
    private readonly policy: Policy,
    private readonly principal: Principal,
    context: DecisionContext | undefined,
    attributes: ReadonlyMap<string, ScalarType>,
  ) {
    this.scope = new EvalScope(principal, undefined, context, policy.clock);
    this.attributeTypes = new Map([...attributes, ['id', 'string'], ['ownerId', 'string']]);
  }

  rule(rule: Rule): FilterCondition {
    const owner: FilterCondition = rule.owner
      ? { kind: 'cmp', attribute: 'ownerId', op: '==', value: this.principal.userId }
      : TRUE;
    return and(owner, rule.when === undefined ? TRUE : this.expr(rule.when));
  }

  private expr(expr: Expr): FilterCondition {
    switch (expr.kind) {
      case 'and':
        return and(this.expr(expr.left), this.expr(expr.right));
      case 'or':
        return or(this.expr(expr.left), this.expr(expr.right));
      case 'not':
        return not(this.expr(expr.operand));
      case 'compare':
        return this.compare(expr.op, expr.left, expr.right);
      case 'in':
        if (isResource(expr.left)) return this.inList(expr.left.name, expr.right);
        break;
      case 'has':
        if (isResource(expr.path)) return { kind: 'has', attribute: expr.path.name };
        break;
      case 'truthy':
        if (isResource(expr.operand))
          return { kind: 'cmp', attribute: expr.operand.name, op: '==', value: true };
        break;
      default:
        break;
    }
    return bool(compileCondition(expr, this.policy.schedules)(this.scope));
  }

  private compare(op: CompareOp, left: Operand, right: Operand): FilterCondition {
    if (isResource(left)) return this.cmp(left.name, op, this.value(right));
    if (isResource(right)) return this.cmp(right.name, FLIPPED[op], this.value(left));
    return bool(compareValues(op, this.value(left), this.value(right)));
  }

  private cmp(attribute: string, op: CompareOp, value: unknown): FilterCondition {
    if (!this.fits(attribute, value)) return FALSE;
    return { kind: 'cmp', attribute, op, value };
  }

  private inList(attribute: string, right: ListNode | PathNode): FilterCondition {
    const list = right.kind === 'list' ? right.items.map((item) => item.value) : this.value(right);
    if (!Array.isArray(list)) return FALSE;
    const values = list.filter((item): item is string | number | boolean =>
      this.fits(attribute, item),
    );
    return values.length === 0 ? FALSE : { kind: 'in', attribute, values };
  }

  /** True when `value` has the runtime type of the attribute, as `decide` requires to compare. */
  private fits(attribute: string, value: unknown): value is string | number | boolean {
    const type = this.attributeTypes.get(attribute);
    return (
      type !== undefined &&
      typeof value === type &&
      !(typeof value === 'number' && Number.isNaN(value))
    );
  }

  private value(operand: Operand): unknown {
    return operand.kind === 'literal' ? operand.value : resolvePath(operand, this.scope);
  }
}

const isResource = (operand: Operand): operand is Operand & { kind: 'path'; scope: 'resource' } =>
  operand.kind === 'path' && operand.scope === 'resource';
