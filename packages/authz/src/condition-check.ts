/**
 * Type-checks a condition against the attributes the policy declares, so a
 * typo or a string compared with a number fails at load, not at request time.
 */
import {
  ConditionError,
  type Expr,
  type ListNode,
  type Operand,
  type PathNode,
} from './condition-ast.js';
import { parseCidr } from './environment.js';

export type ScalarType = 'string' | 'number' | 'boolean';
export type AttributeType = ScalarType | 'string[]' | 'number[]';
type ValueType = AttributeType | 'time' | 'ip';

export interface ConditionSchema {
  /** User attributes, including the built-ins `id` and `roles`. */
  readonly user: ReadonlyMap<string, AttributeType>;
  /** Resource attributes common to every resource type the rule applies to, plus `id`, `ownerId`. */
  readonly resource: ReadonlyMap<string, ScalarType>;
  readonly schedules: ReadonlySet<string>;
}

export const ENV_ATTRIBUTES: ReadonlyMap<string, ValueType> = new Map<string, ValueType>([
  ['time', 'time'],
  ['ip', 'ip'],
  ['weekday', 'string'],
  ['hour', 'number'],
]);

/**
 * The caller's login (RFC 9470 step-up): seconds since they last proved who
 * they are, the assurance level reached and the methods used (RFC 8176). A
 * credential without a login (an API key, Basic) has none of them.
 */
export const AUTH_ATTRIBUTES: ReadonlyMap<string, ValueType> = new Map<string, ValueType>([
  ['ageSeconds', 'number'],
  ['acr', 'string'],
  ['amr', 'string[]'],
]);

/** The levels `auth.acr` takes (see authn/login/assurance.ts). */
export const ACR_VALUES = ['aal1', 'aal2'] as const;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export function checkCondition(expr: Expr, schema: ConditionSchema): void {
  switch (expr.kind) {
    case 'and':
    case 'or':
      checkCondition(expr.left, schema);
      checkCondition(expr.right, schema);
      return;
    case 'not':
      checkCondition(expr.operand, schema);
      return;
    case 'compare':
      checkCompare(expr.op, expr.left, expr.right, schema);
      return;
    case 'in':
      checkIn(expr.left, expr.right, schema);
      return;
    case 'within':
      expectPath(expr.left, 'env', 'time', "'within' applies to env.time");
      if (!schema.schedules.has(expr.schedule)) {
        throw new ConditionError(`unknown schedule '${expr.schedule}'`, expr.offset);
      }
      return;
    case 'cidr':
      expectPath(expr.left, 'env', 'ip', "'in cidr(...)' applies to env.ip");
      try {
        parseCidr(expr.cidr);
      } catch (error) {
        throw new ConditionError(error instanceof Error ? error.message : 'bad cidr', expr.offset);
      }
      return;
    case 'has':
      typeOf(expr.path, schema);
      return;
    case 'truthy':
      if (typeOf(expr.operand, schema) !== 'boolean') {
        throw new ConditionError('a condition on its own must be boolean', expr.operand.offset);
      }
      return;
  }
}

function checkCompare(op: string, left: Operand, right: Operand, schema: ConditionSchema): void {
  const leftType = typeOf(left, schema);
  const rightType = typeOf(right, schema);
  if (isResource(left) && isResource(right)) {
    throw new ConditionError('comparing two resource attributes is not supported', left.offset);
  }
  if (!isScalar(leftType) || !isScalar(rightType)) {
    throw new ConditionError(`'${op}' compares single values`, left.offset);
  }
  if (leftType !== rightType) {
    throw new ConditionError(`cannot compare ${leftType} with ${rightType}`, left.offset);
  }
  if (op !== '==' && op !== '!=' && leftType !== 'number') {
    throw new ConditionError(`'${op}' compares numbers only`, left.offset);
  }
  checkAcrLiteral(left, right);
  checkAcrLiteral(right, left);
}

/** `auth.acr == "aal3"` can never hold: a typo, refused at load like an unknown attribute. */
function checkAcrLiteral(path: Operand, literal: Operand): void {
  if (!isPath(path, 'auth', 'acr') || literal.kind !== 'literal') return;
  if (!ACR_VALUES.some((acr) => acr === literal.value))
    throw new ConditionError(`auth.acr is one of ${ACR_VALUES.join(', ')}`, literal.offset);
}

function checkIn(left: Operand, right: ListNode | PathNode, schema: ConditionSchema): void {
  const leftType = typeOf(left, schema);
  if (!isScalar(leftType)) throw new ConditionError("'in' tests a single value", left.offset);
  if (right.kind === 'list') {
    for (const item of right.items) {
      if (typeOf(item, schema) !== leftType) {
        throw new ConditionError(`list item is not a ${leftType}`, item.offset);
      }
      if (isPath(left, 'env', 'weekday') && !WEEKDAYS.some((day) => day === item.value)) {
        throw new ConditionError(`weekdays are ${WEEKDAYS.join(', ')}`, item.offset);
      }
      checkAcrLiteral(left, item);
    }
    return;
  }
  if (typeOf(right, schema) !== `${leftType}[]`) {
    throw new ConditionError(`right side of 'in' must be a list of ${leftType}`, right.offset);
  }
}

function typeOf(operand: Operand, schema: ConditionSchema): ValueType {
  if (operand.kind === 'literal') return typeof operand.value as ScalarType;
  const table: ReadonlyMap<string, ValueType> =
    operand.scope === 'user'
      ? schema.user
      : operand.scope === 'resource'
        ? schema.resource
        : operand.scope === 'auth'
          ? AUTH_ATTRIBUTES
          : ENV_ATTRIBUTES;
  const type = table.get(operand.name);
  if (type === undefined) {
    throw new ConditionError(`unknown attribute ${operand.scope}.${operand.name}`, operand.offset);
  }
  return type;
}

function expectPath(path: PathNode, scope: string, name: string, message: string): void {
  if (!isPath(path, scope, name)) throw new ConditionError(message, path.offset);
}

const isPath = (operand: Operand, scope: string, name: string): boolean =>
  operand.kind === 'path' && operand.scope === scope && operand.name === name;
const isResource = (operand: Operand): boolean =>
  operand.kind === 'path' && operand.scope === 'resource';
const isScalar = (type: ValueType): type is ScalarType =>
  type === 'string' || type === 'number' || type === 'boolean';
