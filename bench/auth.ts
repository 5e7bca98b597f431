// Issue 2's benchmark: login throughput and event-loop delay during a burst of
// logins, beside the raw argon2id hash rate; GET /auth/me with a session cookie
// (with the session cache, and without) beside a bare Fastify route. Figures are printed, never asserted.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { type Algorithm, hash } from '@node-rs/argon2';
import autocannon from 'autocannon';
import { owaspArgon2Params } from '../src/crypto/password-hash.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);

/** @node-rs/argon2 called directly (not through Gatehouse's hash slots), `concurrency` at a time. */
async function argon2Rate(concurrency: number): Promise<number> {
  const options = {
    algorithm: 2 as Algorithm, // Argon2id
    memoryCost: owaspArgon2Params.memoryKiB,
    timeCost: owaspArgon2Params.timeCost,
    parallelism: owaspArgon2Params.parallelism,
  };
  const until = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await hash('a benchmark passphrase of some length', options);
        done += 1;
      }
    }),
  );
  return done / seconds;
}

async function load(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ duration: seconds, connections: 10, ...options });
}

const child = fork(new URL('./auth-server.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
child.on('exit', (code) => {
  if (code !== 0) throw new Error(`bench server exited with ${code}`);
});
const [ready] = (await once(child, 'message')) as [
  { url: string; uncachedUrl: string; bareUrl: string; email: string; password: string },
];
const ask = async <T>(cmd: string, reply: string): Promise<T> => {
  child.send({ cmd });
  for (;;) {
    const [message] = (await once(child, 'message')) as [{ cmd: string } & T];
    if (message.cmd === reply) return message;
  }
};

const hashRateOne = await argon2Rate(1);
const hashRateFour = await argon2Rate(4);

await ask('loop:start', 'loop:started');
const login = await load({
  url: `${ready.url}/auth/login`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: ready.email, password: ready.password }),
});
const loop = await ask<{ p50: number; p99: number; max: number }>('loop:stop', 'loop');

const sessionCookie = async (url: string): Promise<string> => {
  const response = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ready.email, password: ready.password }),
  });
  return response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
};
const cookie = await sessionCookie(ready.url);
const uncachedCookie = await sessionCookie(ready.uncachedUrl);
const targets: Record<'me' | 'uncached' | 'bare', autocannon.Options> = {
  me: { url: `${ready.url}/auth/me`, headers: { cookie } },
  uncached: { url: `${ready.uncachedUrl}/auth/me`, headers: { cookie: uncachedCookie } },
  bare: { url: `${ready.bareUrl}/bare` },
};
type Target = keyof typeof targets;
const names = Object.keys(targets) as Target[];
// Interleaved rounds after a warm-up of each: on a shared machine the load moves under a run,
// and the median of a few rounds says more than one.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
for (const name of names) await load({ ...targets[name], duration: 1 });
const results: Record<Target, autocannon.Result[]> = { me: [], uncached: [], bare: [] };
// The server's CPU time per request: steadier than the rate when other work shares the cores.
const cpuPerRequest: Record<Target, number[]> = { me: [], uncached: [], bare: [] };
const serverCpu = async () => (await ask<{ micros: number }>('cpu', 'cpu')).micros;
for (let round = 0; round < rounds; round += 1)
  for (const name of names) {
    const before = await serverCpu();
    const result = await load(targets[name]);
    cpuPerRequest[name].push(((await serverCpu()) - before) / result.requests.total);
    results[name].push(result);
  }
const medianOf = (list: number[]): number =>
  [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)] as number;
const median = (list: autocannon.Result[]): autocannon.Result => {
  const sorted = [...list].sort((x, y) => x.requests.average - y.requests.average);
  return sorted[Math.floor(sorted.length / 2)] as autocannon.Result;
};
const me = median(results.me);
const uncachedMe = median(results.uncached);
const bare = median(results.bare);
child.send({ cmd: 'exit' });

const fmt = (n: number) => n.toFixed(0).padStart(10);
console.log(
  `\nGatehouse auth benchmark — ${availableParallelism()} cores, ${seconds}s per run, 10 connections; /auth/me and bare: median of ${rounds} interleaved rounds\n`,
);
console.log('what                                       per second   notes');
console.log(`raw argon2id hash (m=19MiB,t=2,p=1)      ${fmt(hashRateOne)}   1 at a time`);
console.log(
  `raw argon2id hash (m=19MiB,t=2,p=1)      ${fmt(hashRateFour)}   4 at a time (libuv's default pool)`,
);
console.log(
  `POST /auth/login                         ${fmt(login.requests.average)}   ${process.env.HASH_CONCURRENCY ?? 'cores-1'} hash slots; non-2xx: ${login.non2xx}`,
);
console.log(
  `  event-loop delay during the logins     p50 ${loop.p50.toFixed(1)} ms, p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms`,
);
console.log(
  `GET /auth/me (session cookie)            ${fmt(me.requests.average)}   p99 latency ${me.latency.p99} ms, non-2xx: ${me.non2xx}`,
);
console.log(
  `GET /auth/me, session cache off         ${fmt(uncachedMe.requests.average)}   session.cacheSize 0: the database on every request; non-2xx: ${uncachedMe.non2xx}`,
);
console.log(
  `GET bare Fastify route                   ${fmt(bare.requests.average)}   p99 latency ${bare.latency.p99} ms`,
);
console.log(
  `/auth/me as a share of bare              ${((me.requests.average / bare.requests.average) * 100).toFixed(0).padStart(9)}%   cache off: ${((uncachedMe.requests.average / bare.requests.average) * 100).toFixed(0)}%`,
);
const cpu = (name: Target) => medianOf(cpuPerRequest[name]).toFixed(1);
console.log(
  `server CPU per request (µs, median)      me ${cpu('me')}, cache off ${cpu('uncached')}, bare ${cpu('bare')}`,
);
const each = (name: Target) => results[name].map((r) => r.requests.average.toFixed(0)).join(' ');
console.log(`  rounds: me ${each('me')} | cache off ${each('uncached')} | bare ${each('bare')}`);
