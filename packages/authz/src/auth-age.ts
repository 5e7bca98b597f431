/**
 * The login age a policy asks for, to name it in a step-up demand (RFC 9470
 * `max_age`): the smallest N of `auth.ageSeconds < N` (or `<=`, or the
 * mirrored `N > auth.ageSeconds`) in the rules' conditions.
 */
import type { Expr, Operand } from './condition-ast.js';
import type { Rule } from './policy-types.js';

export function tightestAuthAge(rules: readonly Rule[]): number | undefined {
  const found = rules.flatMap((rule) => (rule.when === undefined ? [] : agesIn(rule.when)));
  return found.length === 0 ? undefined : Math.min(...found);
}

function agesIn(expr: Expr): number[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return [...agesIn(expr.left), ...agesIn(expr.right)];
    case 'compare': {
      const { op, left, right } = expr;
      if ((op === '<' || op === '<=') && isAge(left)) return literalNumber(right);
      if ((op === '>' || op === '>=') && isAge(right)) return literalNumber(left);
      return [];
    }
    default:
      // Under `not` the bound is a lower one: it names no maximum age.
      return [];
  }
}

const isAge = (operand: Operand): boolean =>
  operand.kind === 'path' && operand.scope === 'auth' && operand.name === 'ageSeconds';

const literalNumber = (operand: Operand): number[] =>
  operand.kind === 'literal' && typeof operand.value === 'number' && operand.value >= 0
    ? [Math.floor(operand.value)]
    : [];
