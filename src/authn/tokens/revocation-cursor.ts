/**
 * Where an instance is in the revocations table. Ids only grow, but on
 * PostgreSQL they are handed out before commit, so a reader can see id 12
 * committed while 11 is still in flight: the cursor stays below 11 (rows after
 * it are read again on the next pass, and skipped) until 11 shows up, or until
 * it has been missing for `gapGraceMs`, when it is taken for rolled back.
 * Only rows read from the database move it: a pub/sub message proves nothing
 * about the ids before its own.
 */
export interface RevocationCursor {
  /** Read the rows after this id. */
  readonly after: number;
  /** True when the row is new to the cursor (apply it); false when seen before. */
  record(seq: number): boolean;
  /** True when the row was already read (it is at or before the cursor, or waiting above it). */
  has(seq: number): boolean;
  /** Gives up on ids missing for longer than the grace. */
  settle(): void;
}

export function createRevocationCursor(
  start: number,
  options: { gapGraceMs: number; now: () => number },
): RevocationCursor {
  let floor = start;
  /** Rows read above a gap, with when each was first read. */
  const ahead = new Map<number, number>();

  const advance = () => {
    while (ahead.delete(floor + 1)) floor += 1;
  };

  return {
    get after() {
      return floor;
    },
    record(seq) {
      if (seq <= floor || ahead.has(seq)) return false;
      ahead.set(seq, options.now());
      advance();
      return true;
    },
    has: (seq) => seq <= floor || ahead.has(seq),
    settle() {
      while (ahead.size > 0) {
        // The gap below the lowest waiting row has been visible since the oldest read above it.
        const oldest = minOf(ahead.values());
        if (options.now() - oldest < options.gapGraceMs) return;
        floor = minOf(ahead.keys()) - 1;
        advance();
      }
    },
  };
}

function minOf(values: Iterable<number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < min) min = value;
  return min;
}
