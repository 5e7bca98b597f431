/**
 * Keyset pagination: a list ordered by (time, id) continues after the last
 * row a page showed, so page 1,000 costs what page 1 costs. `id` breaks ties
 * between rows of the same millisecond.
 */
export interface Position {
  at: number;
  id: string;
}

export interface PageRequest {
  limit: number;
  /** Continue after this row; the first page when absent. */
  from?: Position | undefined;
}

export interface Page<T> {
  items: T[];
  /** Where the next page starts; null on the last page. */
  next: Position | null;
}

/**
 * Cuts a `limit + 1` read into a page: the extra row only proves there is
 * more, so `next` is null exactly on the last page.
 */
export function toPage<T>(rows: T[], limit: number, positionOf: (row: T) => Position): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? positionOf(last) : null };
}
