/**
 * Turns a checked condition into a predicate (a tree of closures built from
 * the AST — no eval, no Function). Missing or mistyped values never match:
 * a comparison involving one is false.
 */

import type { CompareOp, Expr, Operand, PathNode } from './condition-ast.js';
import { WEEKDAYS } from './condition-check.js';
import {
  type DecisionContext,
  ipInRange,
  isWithin,
  type LocalClock,
  type LocalTime,
  parseCidr,
  type Schedule,
} from './environment.js';
import type { Principal } from './principal.js';
import type { ResourceInput } from './resource.js';

/** Everything a condition can read during one decision. */
export class EvalScope {
  private localTimes: Map<LocalClock, LocalTime> | undefined;

  constructor(
    readonly principal: Principal,
    readonly resource: ResourceInput | undefined,
    readonly context: DecisionContext | undefined,
    readonly clock: LocalClock,
  ) {}

  localTime(clock: LocalClock): LocalTime | undefined {
    const now = this.context?.now;
    if (now === undefined) return undefined;
    this.localTimes ??= new Map();
    let local = this.localTimes.get(clock);
    if (local === undefined) {
      local = clock.at(now);
      this.localTimes.set(clock, local);
    }
    return local;
  }
}

export type Predicate = (scope: EvalScope) => boolean;
type Getter = (scope: EvalScope) => unknown;

export function compileCondition(expr: Expr, schedules: ReadonlyMap<string, Schedule>): Predicate {
  switch (expr.kind) {
    case 'and': {
      const left = compileCondition(expr.left, schedules);
      const right = compileCondition(expr.right, schedules);
      return (scope) => left(scope) && right(scope);
    }
    case 'or': {
      const left = compileCondition(expr.left, schedules);
      const right = compileCondition(expr.right, schedules);
      return (scope) => left(scope) || right(scope);
    }
    case 'not': {
      const operand = compileCondition(expr.operand, schedules);
      return (scope) => !operand(scope);
    }
    case 'compare': {
      const { op } = expr;
      const left = compileOperand(expr.left);
      const right = compileOperand(expr.right);
      return (scope) => compareValues(op, left(scope), right(scope));
    }
    case 'in': {
      const left = compileOperand(expr.left);
      const right: Getter =
        expr.right.kind === 'list'
          ? constant(expr.right.items.map((item) => item.value))
          : compileOperand(expr.right);
      return (scope) => isIn(left(scope), right(scope));
    }
    case 'within': {
      const schedule = schedules.get(expr.schedule);
      if (schedule === undefined) throw new TypeError(`schedule ${expr.schedule} was not checked`);
      return (scope) => {
        const local = scope.localTime(schedule.clock);
        return local !== undefined && isWithin(schedule, local);
      };
    }
    case 'cidr': {
      const range = parseCidr(expr.cidr);
      return (scope) => ipInRange(range, scope.context?.ip);
    }
    case 'has': {
      const value = compileOperand(expr.path);
      return (scope) => isPresent(value(scope));
    }
    case 'truthy': {
      const value = compileOperand(expr.operand);
      return (scope) => value(scope) === true;
    }
  }
}

export function compileOperand(operand: Operand): Getter {
  if (operand.kind === 'literal') return constant(operand.value);
  return (scope) => resolvePath(operand, scope);
}

/** Reads one path; own properties only, so `user.constructor` can never reach a prototype. */
export function resolvePath(path: PathNode, scope: EvalScope): unknown {
  const { name } = path;
  if (path.scope === 'user') {
    const { principal } = scope;
    if (name === 'id') return principal.userId;
    if (name === 'roles') return principal.roles;
    return Object.hasOwn(principal.attributes, name) ? principal.attributes[name] : undefined;
  }
  if (path.scope === 'resource') {
    const { resource } = scope;
    if (resource === undefined) return undefined;
    if (name === 'id') return resource.id;
    if (name === 'ownerId') return resource.ownerId;
    return Object.hasOwn(resource.attributes, name) ? resource.attributes[name] : undefined;
  }
  if (path.scope === 'auth') return authValue(name, scope);
  if (name === 'ip') return scope.context?.ip;
  if (name === 'time') return scope.context?.now;
  const local = scope.localTime(scope.clock);
  if (local === undefined) return undefined;
  return name === 'weekday' ? WEEKDAYS[local.weekday] : Math.floor(local.minutes / 60);
}

/** The caller's login; undefined (so never matching) for a credential without one, or without a clock. */
function authValue(name: string, scope: EvalScope): unknown {
  const { principal } = scope;
  if (name === 'acr') return principal.acr;
  if (name === 'amr') return principal.amr;
  const now = scope.context?.now;
  if (name !== 'ageSeconds' || principal.authTime === undefined || now === undefined)
    return undefined;
  // A login "in the future" (clock skew between instances) counts as just now.
  return Math.max(0, Math.floor((now.getTime() - principal.authTime) / 1000));
}

export function compareValues(op: CompareOp, left: unknown, right: unknown): boolean {
  if (!isScalar(left) || typeof left !== typeof right) return false;
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return typeof left === 'number' && left < (right as number);
    case '<=':
      return typeof left === 'number' && left <= (right as number);
    case '>':
      return typeof left === 'number' && left > (right as number);
    case '>=':
      return typeof left === 'number' && left >= (right as number);
  }
}

export function isIn(value: unknown, list: unknown): boolean {
  if (!isScalar(value) || !Array.isArray(list)) return false;
  return list.includes(value);
}

export const isPresent = (value: unknown): boolean => value !== undefined && value !== null;

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  (typeof value === 'number' && !Number.isNaN(value));

const constant =
  (value: unknown): Getter =>
  () =>
    value;
