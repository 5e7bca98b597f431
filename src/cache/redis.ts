import { Redis } from 'ioredis';
import { type Clock, systemClock } from '../clock.js';
import type { Cache, Counter } from './cache.js';

export interface RedisCacheOptions {
  url: string;
  /** Namespaces every key and channel, so tests and tenants can share a server. */
  prefix?: string;
  /** Windows are measured on this clock, as in the memory cache; Redis's own TTL only collects garbage. */
  clock?: Clock;
}

/**
 * A fixed window stored as a hash {c: count, r: reset time in ms on the
 * injected clock}: a window that has ended on that clock starts afresh, so
 * expiry follows the same time as the rest of the core (and tests need not sleep).
 */
const incrementScript = `
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local reset = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
if reset <= now then
  reset = now + windowMs
  redis.call('HSET', KEYS[1], 'c', 0, 'r', reset)
  redis.call('PEXPIRE', KEYS[1], windowMs)
end
local count = redis.call('HINCRBY', KEYS[1], 'c', 1)
return {count, reset}
`;

const decrementScript = `
local reset = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
if reset > tonumber(ARGV[1]) and tonumber(redis.call('HGET', KEYS[1], 'c') or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], 'c', -1)
end
return 0
`;

export function createRedisCache(options: RedisCacheOptions): Cache {
  const prefix = options.prefix ?? 'gatehouse:';
  const clock = options.clock ?? systemClock;
  const client = new Redis(options.url, {
    keyPrefix: prefix,
    maxRetriesPerRequest: 2,
    lazyConnect: false,
  });
  let subscriber: Redis | undefined;
  const handlers = new Map<string, Array<(message: string) => void>>();
  const onResubscribe: Array<() => void> = [];

  const counter = (count: number, resetAtMs: number): Counter => ({
    count,
    resetInSeconds: Math.max(1, Math.ceil((resetAtMs - clock.now()) / 1000)),
  });

  return {
    kind: 'redis',
    async increment(key, windowSeconds) {
      const [count, resetAtMs] = (await client.eval(
        incrementScript,
        1,
        key,
        clock.now(),
        windowSeconds * 1000,
      )) as [number, number];
      return counter(Number(count), Number(resetAtMs));
    },
    async decrement(key) {
      await client.eval(decrementScript, 1, key, clock.now());
    },
    async peek(key) {
      const [count, resetAtMs] = await client.hmget(key, 'c', 'r');
      if (count === null || resetAtMs === null || Number(resetAtMs) <= clock.now()) return null;
      return counter(Number(count), Number(resetAtMs));
    },
    async delete(key) {
      await client.del(key);
    },
    async publish(channel, message) {
      await client.publish(prefix + channel, message);
    },
    async subscribe(channel, onMessage, subscribeOptions = {}) {
      if (!subscriber) {
        const connection = client.duplicate({ keyPrefix: '' });
        subscriber = connection;
        connection.on('message', (ch: string, message: string) => {
          for (const handler of handlers.get(ch) ?? []) handler(message);
        });
        // ioredis resubscribes by itself after a reconnect; subscribing again
        // waits for the server's confirmation, after which nothing more is missed.
        let connectedBefore = false;
        connection.on('ready', () => {
          if (!connectedBefore) {
            connectedBefore = true;
            return;
          }
          connection
            .subscribe(...handlers.keys())
            .then(() => {
              for (const resubscribed of onResubscribe) resubscribed();
            })
            .catch(() => {
              // Lost again before the confirmation: the next 'ready' retries.
            });
        });
      }
      const full = prefix + channel;
      handlers.set(full, [...(handlers.get(full) ?? []), onMessage]);
      if (subscribeOptions.onResubscribe) onResubscribe.push(subscribeOptions.onResubscribe);
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
