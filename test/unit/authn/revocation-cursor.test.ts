import { describe, expect, it } from 'vitest';
import { createRevocationCursor } from '../../../src/authn/tokens/revocation-cursor.js';

function fixture(start = 10) {
  let now = 0;
  const cursor = createRevocationCursor(start, { gapGraceMs: 1000, now: () => now });
  return { cursor, advance: (ms: number) => (now += ms) };
}

describe('the revocation cursor', () => {
  it('moves over contiguous rows and refuses what it has seen', () => {
    const { cursor } = fixture();
    expect(cursor.record(11)).toBe(true);
    expect(cursor.record(12)).toBe(true);
    expect(cursor.after).toBe(12);
    expect(cursor.record(12)).toBe(false);
    expect(cursor.record(3)).toBe(false);
    expect(cursor.has(12)).toBe(true);
    expect(cursor.has(13)).toBe(false);
  });

  it('waits below an id still in flight (PostgreSQL hands out ids before commit)', () => {
    const { cursor } = fixture();
    expect(cursor.record(12)).toBe(true);
    expect(cursor.after).toBe(10);
    expect(cursor.has(12)).toBe(true);
    expect(cursor.record(12)).toBe(false);
    // 11 commits later: read, applied, and the cursor moves past both.
    expect(cursor.record(11)).toBe(true);
    expect(cursor.after).toBe(12);
  });

  it('gives up on an id missing past the grace (rolled back), not before', () => {
    const { cursor, advance } = fixture();
    cursor.record(13);
    advance(999);
    cursor.settle();
    expect(cursor.after).toBe(10);
    advance(2);
    cursor.settle();
    expect(cursor.after).toBe(13);
  });

  it('times each gap from the first row read above it', () => {
    const { cursor, advance } = fixture();
    cursor.record(12);
    advance(800);
    cursor.record(14);
    advance(300);
    cursor.settle();
    // 11 has been missing for 1100 ms; 13 only since 14 was read, 300 ms ago.
    expect(cursor.after).toBe(12);
    advance(800);
    cursor.settle();
    expect(cursor.after).toBe(14);
  });
});
