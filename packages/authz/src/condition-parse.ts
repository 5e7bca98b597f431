/**
 * Recursive-descent parser for `when:` conditions.
 *
 *   expr       := and ('or' and)*
 *   and        := unary ('and' unary)*
 *   unary      := 'not' unary | primary
 *   primary    := '(' expr ')' | 'has' path | operand [tail]
 *   tail       := cmpop operand | 'in' (list | path | 'cidr' '(' string ')') | 'within' ident
 *   operand    := path | string | number | 'true' | 'false'
 *   path       := ('user' | 'resource' | 'env' | 'auth') '.' ident
 *   list       := '[' [literal (',' literal)*] ']'
 */
import {
  type CompareOp,
  ConditionError,
  type Expr,
  type ListNode,
  type LiteralNode,
  type Operand,
  type PathNode,
  type Scope,
} from './condition-ast.js';
import { type Token, tokenize } from './condition-tokenize.js';

const COMPARE_OPS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const SCOPES: ReadonlySet<string> = new Set(['user', 'resource', 'env', 'auth']);
const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'within', 'has', 'cidr']);

export function parseCondition(source: string): Expr {
  const parser = new Parser(tokenize(source));
  const expr = parser.expr();
  parser.expectEnd();
  return expr;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  expr(): Expr {
    let left = this.and();
    while (this.acceptWord('or')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.type !== 'end') throw new ConditionError(`unexpected '${token.value}'`, token.offset);
  }

  private and(): Expr {
    let left = this.unary();
    while (this.acceptWord('and')) left = { kind: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): Expr {
    if (this.acceptWord('not')) return { kind: 'not', operand: this.unary() };
    return this.primary();
  }

  private primary(): Expr {
    if (this.acceptPunct('(')) {
      const inner = this.expr();
      this.expectPunct(')');
      return inner;
    }
    if (this.acceptWord('has')) return { kind: 'has', path: this.path() };
    const left = this.operand();
    const token = this.peek();
    if (token.type === 'punct' && COMPARE_OPS.has(token.value)) {
      this.index += 1;
      return { kind: 'compare', op: token.value as CompareOp, left, right: this.operand() };
    }
    if (this.acceptWord('in')) return this.inTail(left);
    if (this.acceptWord('within')) {
      const name = this.expectIdent();
      if (left.kind !== 'path') throw new ConditionError("'within' needs env.time", left.offset);
      return { kind: 'within', left, schedule: name.value, offset: name.offset };
    }
    return { kind: 'truthy', operand: left };
  }

  private inTail(left: Operand): Expr {
    const token = this.peek();
    if (token.type === 'punct' && token.value === '[')
      return { kind: 'in', left, right: this.list() };
    if (token.type === 'ident' && token.value === 'cidr') {
      this.index += 1;
      this.expectPunct('(');
      const range = this.next();
      if (range.type !== 'string') throw new ConditionError('cidr() takes a string', range.offset);
      this.expectPunct(')');
      if (left.kind !== 'path') throw new ConditionError("'in cidr' needs env.ip", left.offset);
      return { kind: 'cidr', left, cidr: range.value, offset: range.offset };
    }
    return { kind: 'in', left, right: this.path() };
  }

  private list(): ListNode {
    const open = this.expectPunct('[');
    const items: LiteralNode[] = [];
    if (!this.acceptPunct(']')) {
      do {
        const item = this.operand();
        if (item.kind !== 'literal')
          throw new ConditionError('lists hold literals only', item.offset);
        items.push(item);
      } while (this.acceptPunct(','));
      this.expectPunct(']');
    }
    return { kind: 'list', items, offset: open.offset };
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.type === 'string' || token.type === 'number') {
      this.index += 1;
      return { kind: 'literal', value: token.value, offset: token.offset };
    }
    if (token.type === 'ident' && (token.value === 'true' || token.value === 'false')) {
      this.index += 1;
      return { kind: 'literal', value: token.value === 'true', offset: token.offset };
    }
    return this.path();
  }

  private path(): PathNode {
    const scope = this.expectIdent();
    if (!SCOPES.has(scope.value)) {
      throw new ConditionError(
        `expected user.*, resource.*, env.*, auth.* or a literal, got '${scope.value}'`,
        scope.offset,
      );
    }
    this.expectPunct('.');
    const name = this.expectIdent();
    return { kind: 'path', scope: scope.value as Scope, name: name.value, offset: scope.offset };
  }

  private peek(): Token {
    const token = this.tokens[this.index];
    if (token === undefined) throw new TypeError('token stream ended without an end token');
    return token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  private acceptWord(word: string): boolean {
    const token = this.peek();
    if (token.type !== 'ident' || token.value !== word) return false;
    this.index += 1;
    return true;
  }

  private acceptPunct(value: string): boolean {
    const token = this.peek();
    if (token.type !== 'punct' || token.value !== value) return false;
    this.index += 1;
    return true;
  }

  private expectPunct(value: string): Token {
    const token = this.next();
    if (token.type !== 'punct' || token.value !== value) {
      throw new ConditionError(`expected '${value}', got '${describe(token)}'`, token.offset);
    }
    return token;
  }

  private expectIdent(): Token & { type: 'ident' } {
    const token = this.next();
    if (token.type !== 'ident' || KEYWORDS.has(token.value)) {
      throw new ConditionError(`expected a name, got '${describe(token)}'`, token.offset);
    }
    return token;
  }
}

const describe = (token: Token): string =>
  token.type === 'end' ? 'end of condition' : String(token.value);
