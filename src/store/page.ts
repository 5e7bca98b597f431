/**
 * Keyset pagination: a list ordered by (time, id) continues after the last
 * row a page showed, so page 1,000 costs what page 1 costs. `id` breaks ties
 * between rows of the same millisecond.
 */
export interface Position {
  at: number;
  id: string;
}

export interface PageRequest<P = Position> {
  limit: number;
  /** Continue after this row; the first page when absent. */
  from?: P | undefined;
}

export interface Page<T, P = Position> {
  items: T[];
  /** Where the next page starts; null on the last page. */
  next: P | null;
}

/**
 * Cuts a `limit + 1` read into a page: the extra row only proves there is
 * more, so `next` is null exactly on the last page.
 */
export function toPage<T, P = Position>(
  rows: T[],
  limit: number,
  positionOf: (row: T) => P,
): Page<T, P> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? positionOf(last) : null };
}
