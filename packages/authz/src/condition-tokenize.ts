import { ConditionError } from './condition-ast.js';

/** Lexical tokens of the condition language. */
export type Token =
  | { readonly type: 'ident'; readonly value: string; readonly offset: number }
  | { readonly type: 'string'; readonly value: string; readonly offset: number }
  | { readonly type: 'number'; readonly value: number; readonly offset: number }
  | { readonly type: 'punct'; readonly value: string; readonly offset: number }
  | { readonly type: 'end'; readonly value: ''; readonly offset: number };

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', ',', '.'];
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;

/** Splits a condition into tokens; throws ConditionError on a character it does not know. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i += 1;
    } else if (IDENT_START.test(ch)) {
      const start = i;
      while (i < source.length && IDENT_PART.test(source.charAt(i))) i += 1;
      tokens.push({ type: 'ident', value: source.slice(start, i), offset: start });
    } else if (DIGIT.test(ch) || (ch === '-' && DIGIT.test(source.charAt(i + 1)))) {
      const start = i;
      i += 1;
      while (i < source.length && DIGIT.test(source.charAt(i))) i += 1;
      if (source.charAt(i) === '.' && DIGIT.test(source.charAt(i + 1))) {
        i += 1;
        while (i < source.length && DIGIT.test(source.charAt(i))) i += 1;
      }
      tokens.push({ type: 'number', value: Number(source.slice(start, i)), offset: start });
    } else if (ch === '"' || ch === "'") {
      const [value, next] = readString(source, i, ch);
      tokens.push({ type: 'string', value, offset: i });
      i = next;
    } else {
      const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
      if (op === undefined) throw new ConditionError(`unexpected character '${ch}'`, i);
      tokens.push({ type: 'punct', value: op, offset: i });
      i += op.length;
    }
  }
  tokens.push({ type: 'end', value: '', offset: source.length });
  return tokens;
}

function readString(source: string, start: number, quote: string): [string, number] {
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === quote) return [value, i + 1];
    if (ch === '\\') {
      const escaped = source.charAt(i + 1);
      if (escaped !== quote && escaped !== '\\') {
        throw new ConditionError(`unsupported escape '\\${escaped}'`, i);
      }
      value += escaped;
      i += 2;
    } else {
      value += ch;
      i += 1;
    }
  }
  throw new ConditionError('unterminated string', start);
}
