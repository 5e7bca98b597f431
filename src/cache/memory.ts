import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { Cache, Counter } from './cache.js';

const MAX_COUNTERS = 100_000;

export function createMemoryCache(clock: Clock): Cache {
  const counters = new Map<string, { count: number; resetAtMs: number }>();
  const bus = new EventEmitter();
  bus.setMaxListeners(0);

  const live = (key: string) => {
    const entry = counters.get(key);
    if (entry && entry.resetAtMs <= clock.now()) {
      counters.delete(key);
      return undefined;
    }
    return entry;
  };
  const view = (entry: { count: number; resetAtMs: number }): Counter => ({
    count: entry.count,
    resetInSeconds: Math.max(1, Math.ceil((entry.resetAtMs - clock.now()) / 1000)),
  });

  return {
    kind: 'memory',
    async increment(key, windowSeconds) {
      let entry = live(key);
      if (!entry) {
        // Bounded: an attacker spraying keys evicts the oldest counters, not our memory.
        if (counters.size >= MAX_COUNTERS) counters.delete(counters.keys().next().value as string);
        entry = { count: 0, resetAtMs: clock.now() + windowSeconds * 1000 };
        counters.set(key, entry);
      }
      entry.count += 1;
      return view(entry);
    },
    async decrement(key) {
      const entry = live(key);
      if (entry && entry.count > 0) entry.count -= 1;
    },
    async peek(key) {
      const entry = live(key);
      return entry ? view(entry) : null;
    },
    async delete(key) {
      counters.delete(key);
    },
    async publish(channel, message) {
      bus.emit(channel, message);
    },
    // In-process: never disconnected, so never lost nor resubscribed.
    async subscribe(channel, onMessage) {
      bus.on(channel, onMessage);
    },
    ping: async () => true,
    async close() {
      bus.removeAllListeners();
      counters.clear();
    },
  };
}
