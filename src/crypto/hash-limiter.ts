import { availableParallelism } from 'node:os';
import { RateLimitedError } from '../errors.js';

/**
 * argon2id is memory-hard and runs on libuv's pool (4 threads by default).
 * Letting every thread hash at once on a small machine takes the CPU from the
 * event loop, so hashes queue for `cores - 1` slots (at least 1), leaving a
 * core for everything else. Measured on 2 cores with `npm run bench` (logins
 * per second, event-loop p99 during the burst): 1 slot 113/s, 6.4 ms;
 * 2 slots 147/s, 9.6 ms; 4 slots 155/s, 19.3 ms. `password.hashConcurrency`
 * trades latency for throughput. The pool is per process, so the limit is too.
 */
let slots = Math.max(1, availableParallelism() - 1);
/** Past this many waiting, a hash is refused (429) rather than queued: a flood must not delay every login unboundedly. */
const MAX_WAITING = 256;
let running = 0;
const waiting: Array<() => void> = [];

/** Hears how long each hash waited for its slot, and each one refused; returns the unsubscribe. */
export interface HashQueueObserver {
  waited(seconds: number): void;
  refused(): void;
}
const observers = new Set<HashQueueObserver>();

export function observeHashQueue(observer: HashQueueObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** The queue right now; it is per process, so every core in it sees the same. */
export const hashQueueStats = () => ({ running, waiting: waiting.length });

export function setHashConcurrency(value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError('hash concurrency must be a positive integer');
  slots = value;
}

async function acquire(): Promise<void> {
  if (running < slots) {
    running += 1;
    for (const observer of observers) observer.waited(0);
    return;
  }
  if (waiting.length >= MAX_WAITING) {
    for (const observer of observers) observer.refused();
    throw new RateLimitedError(1, 'The server is busy checking passwords; retry in a moment.');
  }
  const queuedAt = performance.now();
  // The releasing caller hands its slot straight to us, so `running` stays put.
  await new Promise<void>((resolve) => waiting.push(resolve));
  const seconds = (performance.now() - queuedAt) / 1000;
  for (const observer of observers) observer.waited(seconds);
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
