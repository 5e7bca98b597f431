import { Redis, type RedisOptions } from 'ioredis';
import { type Clock, systemClock } from '../clock.js';
import { type ConnectionLog, connectionLog } from '../connection-log.js';
import { UnavailableError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Cache, Counter } from './cache.js';
import { isCacheOutage } from './outage.js';

export interface RedisCacheOptions {
  url: string;
  /** Namespaces every key and channel, so tests and tenants can share a server. */
  prefix?: string;
  /** Windows are measured on this clock, as in the memory cache; Redis's own TTL only collects garbage. */
  clock?: Clock;
  /** Where lost and restored connections are logged, one line each. */
  logger?: Logger;
  /** Counts connection errors and reconnects. */
  metrics?: Pick<Metrics, 'cacheError' | 'cacheReconnect'>;
}

type CacheMetrics = RedisCacheOptions['metrics'];

/**
 * Fail fast while disconnected: no offline queue (a command is refused at once,
 * and the caller answers 503), one retry for a command caught by a drop, and
 * bounded connect and command times. ioredis keeps reconnecting on its own and
 * re-subscribes the subscriber when Redis is back.
 */
const failFast: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  commandTimeout: 2_000,
  // Closing a socket that never connected otherwise waits 2 s for it.
  disconnectTimeout: 200,
};

/**
 * Connects `client` and reports its connection's life on `link`. Resolves when
 * it first is ready; rejects (UnavailableError) if that first attempt fails.
 */
function connect(
  client: Redis,
  link: ConnectionLog,
  closing: () => boolean,
  metrics: CacheMetrics,
): Promise<void> {
  let lastError: unknown;
  let readyBefore = false;
  // Listening to 'error' is also what keeps ioredis from printing each retry's stack on stderr.
  client.on('error', (error: unknown) => {
    lastError = error;
    metrics?.cacheError();
    link.lost(error);
  });
  // A connection the server closed is an error too: a clean shutdown emits no 'error' at all
  // when the first reconnect attempt already finds Redis back.
  client.on('close', () => {
    if (closing()) return;
    metrics?.cacheError();
    link.lost(lastError ?? new Error('connection closed'));
  });
  client.on('ready', () => {
    if (readyBefore) metrics?.cacheReconnect();
    readyBefore = true;
    link.restored();
  });
  const ready = client.connect().catch((error: unknown) => {
    throw new UnavailableError('cache', { cause: lastError ?? error });
  });
  ready.catch(() => {});
  return ready;
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
  const logger = options.logger ?? createLogger('silent');
  let closing = false;
  const client = new Redis(options.url, { ...failFast, keyPrefix: prefix });
  const firstConnection = connect(
    client,
    connectionLog(logger, { dependency: 'cache', connection: 'commands' }),
    () => closing,
    options.metrics,
  );
  let subscriber: Redis | undefined;
  let subscriberConnection: Promise<void> = Promise.resolve();
  const handlers = new Map<string, Array<(message: string) => void>>();
  const onResubscribe: Array<() => void> = [];
  const onLost: Array<() => void> = [];

  /**
   * Runs a command once `connection` has been up (waiting for its first attempt,
   * as there is no queue to wait in); an unreachable Redis becomes
   * UnavailableError, a bug stays what it is.
   */
  async function command<T>(
    run: () => Promise<T>,
    on = client,
    connection = firstConnection,
  ): Promise<T> {
    try {
      if (on.status !== 'ready') await connection;
      return await run();
    } catch (error) {
      if (error instanceof UnavailableError || !isCacheOutage(error)) throw error;
      throw new UnavailableError('cache', { cause: error });
    }
  }

  const counter = (count: number, resetAtMs: number): Counter => ({
    count,
    resetInSeconds: Math.max(1, Math.ceil((resetAtMs - clock.now()) / 1000)),
  });

  return {
    kind: 'redis',
    async increment(key, windowSeconds) {
      const [count, resetAtMs] = (await command(() =>
        client.eval(incrementScript, 1, key, clock.now(), windowSeconds * 1000),
      )) as [number, number];
      return counter(Number(count), Number(resetAtMs));
    },
    async decrement(key) {
      await command(() => client.eval(decrementScript, 1, key, clock.now()));
    },
    async peek(key) {
      const [count, resetAtMs] = await command(() => client.hmget(key, 'c', 'r'));
      if (count === null || resetAtMs === null || Number(resetAtMs) <= clock.now()) return null;
      return counter(Number(count), Number(resetAtMs));
    },
    async delete(key) {
      await command(() => client.del(key));
    },
    async publish(channel, message) {
      await command(() => client.publish(prefix + channel, message));
    },
    async subscribe(channel, onMessage, subscribeOptions = {}) {
      if (!subscriber) {
        const opened = client.duplicate({ ...failFast, keyPrefix: '' });
        subscriberConnection = connect(
          opened,
          connectionLog(logger, { dependency: 'cache', connection: 'subscriber' }),
          () => closing,
          options.metrics,
        );
        opened.on('message', (ch: string, message: string) => {
          for (const handler of handlers.get(ch) ?? []) handler(message);
        });
        opened.on('close', () => {
          if (!closing) for (const lost of onLost) lost();
        });
        // ioredis resubscribes by itself after a reconnect; subscribing again
        // waits for the server's confirmation, after which nothing more is missed.
        let connectedBefore = false;
        opened.on('ready', () => {
          if (!connectedBefore) {
            connectedBefore = true;
            return;
          }
          opened
            .subscribe(...handlers.keys())
            .then(() => {
              for (const resubscribed of onResubscribe) resubscribed();
            })
            .catch(() => {
              // Lost again before the confirmation: the next 'ready' retries.
            });
        });
        subscriber = opened;
      }
      const full = prefix + channel;
      handlers.set(full, [...(handlers.get(full) ?? []), onMessage]);
      if (subscribeOptions.onResubscribe) onResubscribe.push(subscribeOptions.onResubscribe);
      if (subscribeOptions.onLost) onLost.push(subscribeOptions.onLost);
      const listening = subscriber;
      await command(() => listening.subscribe(full), listening, subscriberConnection);
    },
    async ping() {
      return (await command(() => client.ping()).catch(() => '')) === 'PONG';
    },
    async close() {
      closing = true;
      subscriber?.disconnect();
      client.disconnect();
    },
  };
}
