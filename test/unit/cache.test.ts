import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cache } from '../../src/cache/cache.js';
import { createMemoryCache } from '../../src/cache/memory.js';
import { createRedisCache } from '../../src/cache/redis.js';
import { createTestClock } from '../helpers/clock.js';

const adapters: Array<[string, () => { cache: Cache; wait: (ms: number) => Promise<void> }]> = [
  [
    'memory',
    () => {
      const clock = createTestClock();
      return { cache: createMemoryCache(clock), wait: async (ms) => clock.advance(ms) };
    },
  ],
];
if (process.env.REDIS_URL) {
  const url = process.env.REDIS_URL;
  adapters.push([
    'redis',
    () => ({
      cache: createRedisCache({ url, prefix: `gh-unit:${randomBytes(4).toString('hex')}:` }),
      wait: (ms) => new Promise((r) => setTimeout(r, ms)),
    }),
  ]);
}

// One contract, every adapter: the same assertions hold for memory and Redis.
describe.each(adapters)('%s cache', (_name, make) => {
  let cache: Cache;
  afterEach(async () => cache.close());

  it('counts hits in a window and forgets them when it ends', async () => {
    const made = make();
    cache = made.cache;
    expect(await cache.peek('k')).toBeNull();
    expect((await cache.increment('k', 1)).count).toBe(1);
    const second = await cache.increment('k', 1);
    expect(second.count).toBe(2);
    expect(second.resetInSeconds).toBeGreaterThanOrEqual(1);
    expect((await cache.peek('k'))?.count).toBe(2);
    await made.wait(1100);
    expect(await cache.peek('k')).toBeNull();
    expect((await cache.increment('k', 1)).count).toBe(1);
  });

  it('decrements a live counter, never below zero, and never revives or creates one', async () => {
    const made = make();
    cache = made.cache;
    await cache.increment('n', 1);
    await cache.increment('n', 1);
    await cache.decrement('n');
    expect((await cache.peek('n'))?.count).toBe(1);
    await cache.decrement('n');
    await cache.decrement('n');
    expect((await cache.peek('n'))?.count).toBe(0);
    expect((await cache.increment('n', 1)).count).toBe(1);

    await cache.decrement('missing');
    expect(await cache.peek('missing')).toBeNull();

    await cache.increment('ended', 1);
    await made.wait(1100);
    await cache.decrement('ended');
    expect(await cache.peek('ended')).toBeNull();
    expect((await cache.increment('ended', 1)).count).toBe(1);
  });

  it('deletes a counter', async () => {
    cache = make().cache;
    await cache.increment('d', 60);
    await cache.delete('d');
    expect(await cache.peek('d')).toBeNull();
  });

  it('delivers published messages to subscribers', async () => {
    cache = make().cache;
    const received: string[] = [];
    await cache.subscribe('feed', (m) => received.push(m));
    await cache.publish('feed', 'hello');
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual(['hello']);
    expect(await cache.ping()).toBe(true);
  });
});
