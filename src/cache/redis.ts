import { Redis } from 'ioredis';
import type { Cache, Counter } from './cache.js';

export interface RedisCacheOptions {
  url: string;
  /** Namespaces every key and channel, so tests and tenants can share a server. */
  prefix?: string;
}

export function createRedisCache(options: RedisCacheOptions): Cache {
  const prefix = options.prefix ?? 'gatehouse:';
  const client = new Redis(options.url, {
    keyPrefix: prefix,
    maxRetriesPerRequest: 2,
    lazyConnect: false,
  });
  let subscriber: Redis | undefined;
  const handlers = new Map<string, Array<(message: string) => void>>();

  const counter = (count: number, ttlMs: number): Counter => ({
    count,
    resetInSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
  });

  return {
    kind: 'redis',
    async increment(key, windowSeconds) {
      const result = await client
        .multi()
        .incr(key)
        .pexpire(key, windowSeconds * 1000, 'NX')
        .pttl(key)
        .exec();
      const count = Number(result?.[0]?.[1] ?? 0);
      const ttlMs = Number(result?.[2]?.[1] ?? windowSeconds * 1000);
      return counter(count, ttlMs);
    },
    async peek(key) {
      const [count, ttlMs] = await Promise.all([client.get(key), client.pttl(key)]);
      return count === null ? null : counter(Number(count), ttlMs);
    },
    async delete(key) {
      await client.del(key);
    },
    async publish(channel, message) {
      await client.publish(prefix + channel, message);
    },
    async subscribe(channel, onMessage) {
      if (!subscriber) {
        subscriber = client.duplicate({ keyPrefix: '' });
        subscriber.on('message', (ch: string, message: string) => {
          for (const handler of handlers.get(ch) ?? []) handler(message);
        });
      }
      const full = prefix + channel;
      handlers.set(full, [...(handlers.get(full) ?? []), onMessage]);
      await subscriber.subscribe(full);
    },
    async ping() {
      return (await client.ping().catch(() => '')) === 'PONG';
    },
    async close() {
      subscriber?.disconnect();
      client.disconnect();
    },
  };
}
