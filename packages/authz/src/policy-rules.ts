/**
 * Reads `rules:`: each rule's actions, roles and condition are checked against
 * the declarations, and rules that can never take effect are rejected.
 */
import { ConditionError, type Expr, readsAuth, readsResource, sameExpr } from './condition-ast.js';
import { type AttributeType, checkCondition, type ScalarType } from './condition-check.js';
import { compileCondition, type EvalScope, type Predicate } from './condition-eval.js';
import { parseCondition } from './condition-parse.js';
import type { Schedule } from './environment.js';
import type { PolicySource, YamlPath } from './policy-source.js';
import type { ResourceType, Role, Rule } from './policy-types.js';

export interface RuleDeclarations {
  readonly roles: ReadonlyMap<string, Role>;
  readonly userAttributes: ReadonlyMap<string, AttributeType>;
  readonly resourceTypes: ReadonlyMap<string, ResourceType>;
  readonly schedules: ReadonlyMap<string, Schedule>;
}

const RULE_KEYS = ['id', 'description', 'effect', 'actions', 'roles', 'owner', 'when'];

export function readRules(src: PolicySource, value: unknown, decl: RuleDeclarations): Rule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return src.fail(['rules'], 'expected a list of rules');
  const rules: Rule[] = [];
  value.forEach((raw: unknown, index) => {
    const rule = readRule(src, ['rules', index], raw, decl);
    const twin = rules.find((earlier) => earlier.id === rule.id);
    if (twin)
      src.fail(
        ['rules', index, 'id'],
        `duplicate rule id '${rule.id}' (first at line ${twin.line})`,
      );
    rules.push(rule);
  });
  rules.forEach((rule, index) => {
    rejectShadowed(src, ['rules', index], rule, rules);
  });
  return rules;
}

function readRule(src: PolicySource, path: YamlPath, raw: unknown, decl: RuleDeclarations): Rule {
  const entry = src.map(path, raw);
  src.onlyKeys(path, entry, RULE_KEYS);
  const id = src.string([...path, 'id'], entry.id);
  if (entry.effect !== 'allow' && entry.effect !== 'deny')
    src.fail([...path, 'effect'], 'expected allow or deny');
  const actions = src.strings([...path, 'actions'], entry.actions);
  if (actions.length === 0) src.fail([...path, 'actions'], 'a rule needs at least one action');
  const types = actions.map((permission, index) => {
    const type = resourceTypeOf(permission, decl.resourceTypes);
    if (type === undefined)
      src.fail([...path, 'actions', index], `unknown permission '${permission}'`);
    return type;
  });
  const roles =
    entry.roles === undefined ? undefined : src.strings([...path, 'roles'], entry.roles);
  roles?.forEach((role, index) => {
    if (!decl.roles.has(role)) src.fail([...path, 'roles', index], `unknown role '${role}'`);
  });
  if (entry.owner !== undefined && typeof entry.owner !== 'boolean')
    src.fail([...path, 'owner'], 'expected true or false');
  const owner = entry.owner === true;
  const when =
    entry.when === undefined
      ? undefined
      : readWhen(src, [...path, 'when'], entry.when, types, decl);
  return {
    id,
    effect: entry.effect,
    actions,
    roles,
    memberRoles: roles === undefined ? undefined : membersOf(roles, decl.roles),
    owner,
    when,
    test: combine(owner, when === undefined ? undefined : compileCondition(when, decl.schedules)),
    readsResource: owner || (when !== undefined && readsResource(when)),
    readsAuth: when !== undefined && readsAuth(when),
    line: src.lineOf(path),
    decision: Object.freeze({ allowed: entry.effect === 'allow', reason: `rule:${id}` }),
  };
}

function readWhen(
  src: PolicySource,
  path: YamlPath,
  raw: unknown,
  types: readonly ResourceType[],
  decl: RuleDeclarations,
): Expr {
  const text = src.string(path, raw);
  try {
    const expr = parseCondition(text);
    checkCondition(expr, {
      user: decl.userAttributes,
      resource: commonAttributes(types),
      schedules: new Set(decl.schedules.keys()),
    });
    return expr;
  } catch (error) {
    if (!(error instanceof ConditionError)) throw error;
    return src.fail(path, `${error.message} (at column ${error.offset + 1})`);
  }
}

/** Attributes declared on every resource type the rule touches, plus id and ownerId. */
function commonAttributes(types: readonly ResourceType[]): Map<string, ScalarType> {
  const common = new Map<string, ScalarType>([
    ['id', 'string'],
    ['ownerId', 'string'],
  ]);
  const [first, ...rest] = types;
  for (const [name, type] of first?.attributes ?? []) {
    if (rest.every((other) => other.attributes.get(name) === type)) common.set(name, type);
  }
  return common;
}

export function resourceTypeOf(
  permission: string,
  types: ReadonlyMap<string, ResourceType>,
): ResourceType | undefined {
  const colon = permission.indexOf(':');
  const type = types.get(permission.slice(0, colon));
  return colon > 0 && type?.actions.has(permission.slice(colon + 1)) ? type : undefined;
}

function membersOf(roles: readonly string[], all: ReadonlyMap<string, Role>): Set<string> {
  const members = new Set<string>();
  const isMember = (name: string, seen: Set<string>): boolean => {
    if (roles.includes(name)) return true;
    if (seen.has(name)) return false;
    seen.add(name);
    return (all.get(name)?.inherits ?? []).some((parent) => isMember(parent, seen));
  };
  for (const name of all.keys()) if (isMember(name, new Set())) members.add(name);
  return members;
}

const isOwner: Predicate = (scope: EvalScope) => {
  const ownerId = scope.resource?.ownerId;
  return ownerId !== undefined && ownerId === scope.principal.userId;
};

function combine(owner: boolean, when: Predicate | undefined): Predicate | undefined {
  if (!owner) return when;
  if (when === undefined) return isOwner;
  return (scope) => isOwner(scope) && when(scope);
}

/** An allow rule is unreachable when a deny rule matches at least every request it matches. */
function rejectShadowed(
  src: PolicySource,
  path: YamlPath,
  rule: Rule,
  rules: readonly Rule[],
): void {
  if (rule.effect !== 'allow') return;
  for (const deny of rules) {
    if (deny.effect !== 'deny') continue;
    const coversActions = rule.actions.every((action) => deny.actions.includes(action));
    const coversRoles =
      deny.memberRoles === undefined ||
      (rule.memberRoles !== undefined &&
        [...rule.memberRoles].every((role) => deny.memberRoles?.has(role)));
    const coversCondition =
      (!deny.owner || rule.owner) && (deny.when === undefined || sameExpr(deny.when, rule.when));
    if (coversActions && coversRoles && coversCondition) {
      src.fail(
        path,
        `unreachable: every request it allows is denied by rule '${deny.id}' (line ${deny.line})`,
      );
    }
  }
}
