// Issue 13's "a million users": POST /auth/login and GET /auth/me (session cookie) on an empty
// PostgreSQL database, then again once `seed:scale` has added 1M users, 5M sessions and 1M API
// keys (SEED_USERS, SEED_SESSIONS, SEED_API_KEYS), in the same run; the difference in %. Figures
// are printed, never asserted. BENCH_POSTGRES_URL names the server (a database is made and
// dropped on it), BENCH_REDIS_URL (or REDIS_URL) the Redis; BENCH_SECONDS the length of a run.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const serverUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const name = `gatehouse_bench_scale_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-scale-'));
const sourceConditions = ['--conditions', 'gatehouse-source', '--import', 'tsx'];

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

interface Ready {
  url: string;
  email: string;
  password: string;
}

/** Gatehouse in a child process on the bench database; one server per phase, same data dir. */
async function startGatehouse(url: string) {
  const child = fork(new URL('./scale-server.ts', import.meta.url), {
    execArgv: sourceConditions,
    env: {
      ...process.env,
      BENCH_DATABASE_URL: url,
      BENCH_DATA_DIR: dataDir,
      BENCH_REDIS_URL: redisUrl,
      BENCH_REDIS_PREFIX: `${new URL(url).pathname.slice(1)}:`,
    },
  });
  const [ready] = (await once(child, 'message')) as [Ready];
  return {
    ...ready,
    async stop() {
      child.send({ cmd: 'exit' });
      await once(child, 'exit');
    },
  };
}

interface Figures {
  rate: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function load(options: autocannon.Options): Promise<Figures> {
  const result = await autocannon({ duration: seconds, connections: 10, ...options });
  return {
    rate: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/** Login throughput, then /auth/me with the cookie of a fresh login. */
async function measure(url: string): Promise<{ login: Figures; me: Figures; loadAverage: number }> {
  const server = await startGatehouse(url);
  // The machine's 1-minute load average as the phase starts: other work on it moves the figures.
  const loadAverage = loadavg()[0] ?? 0;
  try {
    const body = JSON.stringify({ email: server.email, password: server.password });
    const headers = { 'content-type': 'application/json' };
    // Warm up (JIT, pool connections, caches) before anything counts.
    await autocannon({
      url: `${server.url}/auth/login`,
      method: 'POST',
      headers,
      body,
      duration: 2,
    });
    const login = await load({ url: `${server.url}/auth/login`, method: 'POST', headers, body });
    const signedIn = await fetch(`${server.url}/auth/login`, { method: 'POST', headers, body });
    const cookie = signedIn.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    await autocannon({ url: `${server.url}/auth/me`, headers: { cookie }, duration: 2 });
    const me = await load({ url: `${server.url}/auth/me`, headers: { cookie } });
    return { login, me, loadAverage };
  } finally {
    await server.stop();
  }
}

/** `npm run seed:scale` on the bench database; its known credentials. */
async function seed(): Promise<{ counts: Record<string, number> }> {
  const child = spawn(process.execPath, [...sourceConditions, 'scripts/seed-scale.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, DATABASE_URL: databaseUrl, GATEHOUSE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += String(chunk);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`seed:scale exited with ${code}`);
  return JSON.parse(out) as { counts: Record<string, number> };
}

await admin(`CREATE DATABASE ${name}`);
try {
  const empty = await measure(databaseUrl);
  const started = Date.now();
  const seeded = await seed();
  const seedSeconds = (Date.now() - started) / 1000;
  const full = await measure(databaseUrl);
  // The machine's load drifts over the minutes of seeding: an empty database again, after, shows how much.
  await admin(`CREATE DATABASE ${name}_again`);
  const emptyAgain = await measure(`${databaseUrl}_again`).finally(() =>
    admin(`DROP DATABASE IF EXISTS ${name}_again WITH (FORCE)`),
  );

  const pct = (after: number, before: number) =>
    `${after >= before ? '+' : ''}${(((after - before) / before) * 100).toFixed(1)}%`;
  const row = (what: string, before: Figures, after: Figures, again: Figures) => {
    console.log(
      `${what.padEnd(30)} ${before.rate.toFixed(0).padStart(8)} ${after.rate.toFixed(0).padStart(8)} ${pct(after.rate, before.rate).padStart(8)} ${again.rate.toFixed(0).padStart(12)}   p50 ${before.p50}→${after.p50} ms, p99 ${before.p99}→${after.p99} ms, non-2xx ${before.non2xx}/${after.non2xx}`,
    );
  };
  const { users, sessions, apiKeys } = seeded.counts;
  console.log(
    `\nGatehouse at scale — PostgreSQL + Redis, ${availableParallelism()} cores, ${seconds}s per run, 10 connections`,
  );
  console.log(
    `seeded ${users?.toLocaleString('en')} users, ${sessions?.toLocaleString('en')} sessions, ${apiKeys?.toLocaleString('en')} API keys in ${seedSeconds.toFixed(0)}s\n`,
  );
  console.log(
    `${'requests per second'.padEnd(30)} ${'empty'.padStart(8)} ${'seeded'.padStart(8)} ${'change'.padStart(8)} ${'empty again'.padStart(12)}`,
  );
  row('POST /auth/login', empty.login, full.login, emptyAgain.login);
  row('GET /auth/me (session cookie)', empty.me, full.me, emptyAgain.me);
  console.log(
    `\nload average as each phase began: ${empty.loadAverage.toFixed(1)} (empty), ${full.loadAverage.toFixed(1)} (seeded), ${emptyAgain.loadAverage.toFixed(1)} (empty again)`,
  );
  console.log(
    'On a shared, loaded machine a run varies by several % on its own: compare, do not trust one.',
  );
} finally {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}
