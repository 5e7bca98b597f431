/**
 * The abstract syntax tree of the condition language used in `when:`.
 * Produced by `parseCondition`, checked by `checkCondition`, never evaluated
 * as JavaScript. `offset` is the character offset in the condition source.
 */
export type Scope = 'user' | 'resource' | 'env' | 'auth';
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type LiteralValue = string | number | boolean;

export interface PathNode {
  readonly kind: 'path';
  readonly scope: Scope;
  readonly name: string;
  readonly offset: number;
}

export interface LiteralNode {
  readonly kind: 'literal';
  readonly value: LiteralValue;
  readonly offset: number;
}

export interface ListNode {
  readonly kind: 'list';
  readonly items: readonly LiteralNode[];
  readonly offset: number;
}

export type Operand = PathNode | LiteralNode;

export type Expr =
  | { readonly kind: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly operand: Expr }
  | {
      readonly kind: 'compare';
      readonly op: CompareOp;
      readonly left: Operand;
      readonly right: Operand;
    }
  | { readonly kind: 'in'; readonly left: Operand; readonly right: ListNode | PathNode }
  | {
      readonly kind: 'within';
      readonly left: PathNode;
      readonly schedule: string;
      readonly offset: number;
    }
  | {
      readonly kind: 'cidr';
      readonly left: PathNode;
      readonly cidr: string;
      readonly offset: number;
    }
  | { readonly kind: 'has'; readonly path: PathNode }
  | { readonly kind: 'truthy'; readonly operand: Operand };

/** A syntax or type error inside one condition; the loader adds file and line. */
export class ConditionError extends Error {
  override readonly name = 'ConditionError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Structural equality, used to detect contradictory rules. */
export const sameExpr = (a: Expr | undefined, b: Expr | undefined): boolean =>
  JSON.stringify(a, stripOffsets) === JSON.stringify(b, stripOffsets);

const stripOffsets = (key: string, value: unknown): unknown =>
  key === 'offset' ? undefined : value;

/** True when the condition reads a path of `scope` anywhere. */
export function readsScope(expr: Expr, scope: Scope): boolean {
  const reads = (node: Operand | ListNode): boolean => node.kind === 'path' && node.scope === scope;
  switch (expr.kind) {
    case 'and':
    case 'or':
      return readsScope(expr.left, scope) || readsScope(expr.right, scope);
    case 'not':
      return readsScope(expr.operand, scope);
    case 'compare':
    case 'in':
      return reads(expr.left) || reads(expr.right);
    case 'within':
    case 'cidr':
      return reads(expr.left);
    case 'has':
      return reads(expr.path);
    case 'truthy':
      return reads(expr.operand);
  }
}

/** True when the condition reads a `resource.*` path anywhere. */
export const readsResource = (expr: Expr): boolean => readsScope(expr, 'resource');

/** True when the condition reads the caller's login (`auth.*`) anywhere: a step-up may satisfy it. */
export const readsAuth = (expr: Expr): boolean => readsScope(expr, 'auth');
