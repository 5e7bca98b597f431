/**
 * Authorization bench: in-process decisions per second and per-decision
 * p50/p99 latency (timed over batches with process.hrtime.bigint) for the demo
 * policy, 1,000 users and 10,000 resources, side by side with casbin and CASL
 * deciding the same requests. Run: node --import tsx bench/authz.ts
 */
import { fileURLToPath } from 'node:url';
import { decide } from '../src/authz/decide.js';
import { loadPolicy } from '../src/authz/policy-load.js';
import { makeData, type Request } from './authz-data.js';
import { casbinRunner, caslRunner, type Runner } from './authz-peers.js';

const BATCH = 16;
const REQUESTS = 200_000;
const MAX_NS_PER_ENGINE = 4e9;

interface Result {
  engine: string;
  workload: string;
  decisions: number;
  perSecond: number;
  p50Ns: number;
  p99Ns: number;
}

function measure(engine: string, workload: string, run: Runner, count: number): Result {
  let sink = 0;
  for (let i = 0; i < Math.min(count, 20_000); i += 1) sink += run(i) ? 1 : 0;
  const samples: number[] = [];
  let totalNs = 0;
  let done = 0;
  while (done + BATCH <= count && totalNs < MAX_NS_PER_ENGINE) {
    const start = process.hrtime.bigint();
    for (let j = 0; j < BATCH; j += 1) sink += run(done + j) ? 1 : 0;
    const elapsed = Number(process.hrtime.bigint() - start);
    samples.push(elapsed / BATCH);
    totalNs += elapsed;
    done += BATCH;
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  if (sink < 0) console.log(sink);
  return {
    engine,
    workload,
    decisions: done,
    perSecond: done / (totalNs / 1e9),
    p50Ns: at(0.5),
    p99Ns: at(0.99),
  };
}

function agreement(name: string, run: Runner, expected: readonly boolean[]): void {
  let mismatches = 0;
  expected.forEach((allowed, index) => {
    if (run(index) !== allowed) mismatches += 1;
  });
  const allowedCount = expected.filter(Boolean).length;
  console.log(
    `  ${name.padEnd(8)} agrees with gatehouse on ${expected.length - mismatches}/${expected.length} (allowed: ${allowedCount})`,
  );
}

async function main(): Promise<void> {
  const policy = await loadPolicy(
    fileURLToPath(new URL('../examples/policy.yaml', import.meta.url)),
  );
  const data = makeData(1_000, 10_000);
  const now = new Date('2026-11-17T10:00:00Z');
  const context = { now };
  const workloads: [string, Request[]][] = [
    ['rbac', data.rbac(REQUESTS)],
    ['demo mix', data.mixed(REQUESTS)],
  ];
  const results: Result[] = [];
  console.log(
    `policy ${policy.file}: ${data.users.length} users, ${data.posts.length + data.documents.length} resources`,
  );
  for (const [workload, requests] of workloads) {
    const ours: Runner = (i) => {
      const req = requests[i] as Request;
      return decide(policy, req.principal, req.action, req.resource, context).allowed;
    };
    const casbin = await casbinRunner(policy, data.users, requests, now);
    const casl = caslRunner(policy, data.users, requests, now);
    const expected = requests.slice(0, 20_000).map((_, i) => ours(i));
    console.log(`${workload}:`);
    agreement('casbin', casbin, expected.slice(0, 5_000));
    agreement('casl', casl, expected);
    results.push(measure('gatehouse', workload, ours, requests.length));
    results.push(measure('casbin', workload, casbin, requests.length));
    results.push(measure('@casl/ability', workload, casl, requests.length));
  }
  console.log('');
  console.log('| workload | engine | decisions | decisions/s | p50 µs | p99 µs |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of results) {
    const perSecond = Math.round(r.perSecond).toLocaleString('en-US');
    console.log(
      `| ${r.workload} | ${r.engine} | ${r.decisions.toLocaleString('en-US')} | ${perSecond} | ${(r.p50Ns / 1000).toFixed(2)} | ${(r.p99Ns / 1000).toFixed(2)} |`,
    );
  }
  console.log(
    `\nlatency: per-decision time within batches of ${BATCH}; CASL abilities are built once per user beforehand.`,
  );
}

await main();
