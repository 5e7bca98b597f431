import type { z } from 'zod';
import { AuthError } from '../errors.js';
import { clip } from './clip.js';
import { textFault } from './text-rules.js';

/** Deeper than any schema of ours; also keeps the walk below from crawling a 64 KiB `[[[[…`. */
const MAX_DEPTH = 32;

const refuse = (where: string, path: readonly (string | number)[], message: string): never => {
  const shown = path.length > 0 ? `${where}.${path.join('.')}` : where;
  throw new AuthError('invalid_request', clip(`${clip(shown, 80)}: ${message}`, 200));
};

/**
 * Every string of untrusted input, keys included, must be free text (see
 * text-rules.ts), whatever its schema says, so no route can forget it. Names
 * are held to the stricter rule by the shared schemas in schemas.ts.
 */
function checkStrings(value: unknown, where: string): void {
  const stack: Array<{ value: unknown; path: (string | number)[] }> = [{ value, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value: item, path } = next;
    if (typeof item === 'string') {
      const fault = textFault(item, 'text');
      if (fault) refuse(where, path, fault);
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (path.length >= MAX_DEPTH) refuse(where, path, 'nested too deeply');
    for (const [key, child] of Object.entries(item)) {
      const fault = textFault(key, 'name');
      if (fault) refuse(where, path, `a key: ${fault}`);
      stack.push({ value: child, path: [...path, Array.isArray(item) ? Number(key) : key] });
    }
  }
}

/** Parses untrusted input against a schema; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  checkStrings(value, where);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  return refuse(where, issue?.path.map(String) ?? [], issue?.message ?? 'invalid');
}
