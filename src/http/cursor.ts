import { z } from 'zod';
import type { Page, Position } from '../store/page.js';
import { ID_PATTERN } from './schemas.js';

/**
 * Page cursors are opaque to clients: base64url of `at.id`. One that comes
 * back is decoded strictly and must re-encode to itself, so anything else is
 * a 400 before a query runs (an audit id must be a number: PostgreSQL would
 * refuse text in an integer column with a 500).
 */
const idPatterns = { text: ID_PATTERN, numeric: /^[0-9]{1,15}$/ } as const;

export const encodeCursor = (position: Position): string =>
  Buffer.from(`${position.at}.${position.id}`, 'utf8').toString('base64url');

export const nextCursor = (page: Page<unknown>): string | null =>
  page.next ? encodeCursor(page.next) : null;

function decodeCursor(text: string, ids: keyof typeof idPatterns): Position | null {
  if (!/^[A-Za-z0-9_-]{1,120}$/.test(text)) return null;
  const [at = '', id = '', ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('.');
  if (rest.length > 0 || !/^[0-9]{1,15}$/.test(at) || !idPatterns[ids].test(id)) return null;
  const position = { at: Number(at), id };
  return encodeCursor(position) === text ? position : null;
}

/** A query parameter holding a cursor this server handed out; ids of the given kind. */
export const cursorParam = (ids: keyof typeof idPatterns) =>
  z
    .string()
    .max(120)
    .transform((text, ctx) => {
      const position = decodeCursor(text, ids);
      if (position) return position;
      ctx.addIssue({ code: 'custom', message: 'not a cursor from this list' });
      return z.NEVER;
    });

/** `limit` with the list's bounds. */
export const limitParam = (max: number, byDefault: number) =>
  z.coerce.number().int().min(1).max(max).default(byDefault);
