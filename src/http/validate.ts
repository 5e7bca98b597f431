import type { z } from 'zod';
import { AuthError } from '../errors.js';

/** Parses untrusted input against a schema; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue && issue.path.length > 0 ? `${where}.${issue.path.join('.')}` : where;
  throw new AuthError('invalid_request', `${path}: ${issue?.message ?? 'invalid'}`);
}
