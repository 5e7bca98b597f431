import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type LabelValues,
  Registry,
} from 'prom-client';

/** How a sign-in attempt ended; bounded, so it can be a label. */
export type SignInOutcome =
  | 'success'
  | 'failure'
  | 'banned'
  | 'email_not_verified'
  | 'mfa_required';

/** The database pool as it is right now (see store/db.ts). */
export interface PoolStats {
  inUse: number;
  idle: number;
  waiting: number;
}

/** The password-hash queue as it is right now (see crypto/hash-limiter.ts). */
export interface HashQueueStats {
  running: number;
  waiting: number;
}

/** Buckets of request latency, seconds: a cached `/auth/me` is ~1 ms, a login with argon2 ~100 ms. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Buckets of revocation-feed lag and hash-queue wait, seconds: pub/sub is ms; a poll is seconds. */
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A metric's child per label combination, made once: the hot path then only looks it up. */
interface HttpChild {
  count: { inc(): void };
  latency: { observe(value: number): void };
}

/**
 * The metrics of one Gatehouse core, in a registry of its own (not prom-client's
 * global one: a process may run several cores, tests do). The core makes it and
 * hands it to the parts that count; GET /metrics renders `registry`.
 */
export interface Metrics {
  readonly registry: Registry;
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  signIn(method: string, outcome: SignInOutcome): void;
  mfa(factor: string, outcome: 'success' | 'failure'): void;
  rateLimited(limit: string): void;
  refreshReuse(): void;
  /** A revocation from the feed applied here, `seconds` after another instance published it. */
  revocationLag(seconds: number): void;
  hashWait(seconds: number): void;
  databaseError(kind: 'unavailable' | 'other'): void;
  cacheError(): void;
  cacheReconnect(): void;
  /** Where the pool gauges read from; the store calls it once it is open. */
  watchPool(stats: () => PoolStats): void;
  watchHashQueue(stats: () => HashQueueStats): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new Counter({
    name: 'gatehouse_http_requests_total',
    help: 'HTTP requests by route template, method and status',
    labelNames: ['route', 'method', 'status'],
    registers,
  });
  const latency = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const signIns = new Counter({
    name: 'gatehouse_sign_ins_total',
    help: 'Sign-in attempts by method and outcome',
    labelNames: ['method', 'outcome'],
    registers,
  });
  const mfa = new Counter({
    name: 'gatehouse_mfa_challenges_total',
    help: 'Second-factor answers to a login challenge by factor and outcome',
    labelNames: ['factor', 'outcome'],
    registers,
  });
  const rateLimited = new Counter({
    name: 'gatehouse_rate_limited_total',
    help: 'Requests refused (429) by the limit that refused them',
    labelNames: ['limit'],
    registers,
  });
  const reuse = new Counter({
    name: 'gatehouse_refresh_token_reuse_total',
    help: 'Rotated refresh tokens presented again (the session was revoked as stolen)',
    registers,
  });
  const lag = new Histogram({
    name: 'gatehouse_revocation_feed_lag_seconds',
    help: 'Revocations from the feed: publish on one instance to applied on this one (wall clocks)',
    buckets: LAG_BUCKETS,
    registers,
  });
  const hashWait = new Histogram({
    name: 'gatehouse_password_hash_wait_seconds',
    help: 'Time a password hash waited for a slot',
    buckets: LAG_BUCKETS,
    registers,
  });
  let hashQueue: () => HashQueueStats = () => ({ running: 0, waiting: 0 });
  new Gauge({
    name: 'gatehouse_password_hash_queue_depth',
    help: 'Password hashes waiting for a slot (per process)',
    registers,
    collect() {
      this.set(hashQueue().waiting);
    },
  });
  new Gauge({
    name: 'gatehouse_password_hash_running',
    help: 'Password hashes running now (per process)',
    registers,
    collect() {
      this.set(hashQueue().running);
    },
  });
  let pool: () => PoolStats = () => ({ inUse: 0, idle: 0, waiting: 0 });
  new Gauge({
    name: 'gatehouse_db_pool_connections',
    help: 'Database connections by state: in_use, idle, waiting (callers waiting for one)',
    labelNames: ['state'],
    registers,
    collect() {
      const now = pool();
      this.set({ state: 'in_use' }, now.inUse);
      this.set({ state: 'idle' }, now.idle);
      this.set({ state: 'waiting' }, now.waiting);
    },
  });
  const dbErrors = new Counter({
    name: 'gatehouse_db_query_errors_total',
    help: 'Database queries that failed: unavailable (an outage) or other',
    labelNames: ['kind'],
    registers,
  });
  const cacheErrors = new Counter({
    name: 'gatehouse_redis_errors_total',
    help: 'Errors on the Redis connections',
    registers,
  });
  const cacheReconnects = new Counter({
    name: 'gatehouse_redis_reconnects_total',
    help: 'Redis connections restored after being lost',
    registers,
  });

  const httpChildren = new Map<string, Map<string, Map<number, HttpChild>>>();
  const httpChild = (route: string, method: string, status: number): HttpChild => {
    let byMethod = httpChildren.get(route);
    if (!byMethod) {
      byMethod = new Map();
      httpChildren.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (!byStatus) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let child = byStatus.get(status);
    if (!child) {
      const labels: LabelValues<string> = { route, method, status: String(status) };
      child = { count: requests.labels(labels), latency: latency.labels(labels) };
      byStatus.set(status, child);
    }
    return child;
  };

  // A machine signs in on every request (an API key, Basic): its counter child is looked up, not rebuilt.
  const signInChildren = new Map<string, ReturnType<typeof signIns.labels>>();
  const signInChild = (method: string, outcome: SignInOutcome) => {
    const key = `${method} ${outcome}`;
    let child = signInChildren.get(key);
    if (!child) {
      child = signIns.labels({ method, outcome });
      signInChildren.set(key, child);
    }
    return child;
  };

  return {
    registry,
    httpRequest(route, method, status, seconds) {
      const child = httpChild(route, method, status);
      child.count.inc();
      child.latency.observe(seconds);
    },
    signIn: (method, outcome) => signInChild(method, outcome).inc(),
    mfa: (factor, outcome) => mfa.inc({ factor, outcome }),
    rateLimited: (limit) => rateLimited.inc({ limit }),
    refreshReuse: () => reuse.inc(),
    revocationLag: (seconds) => lag.observe(Math.max(0, seconds)),
    hashWait: (seconds) => hashWait.observe(Math.max(0, seconds)),
    databaseError: (kind) => dbErrors.inc({ kind }),
    cacheError: () => cacheErrors.inc(),
    cacheReconnect: () => cacheReconnects.inc(),
    watchPool(stats) {
      pool = stats;
    },
    watchHashQueue(stats) {
      hashQueue = stats;
    },
  };
}
