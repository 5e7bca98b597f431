// Issue 13's many-instances figure: three `gatehouse serve` processes on a private
// PostgreSQL and a private Redis (spare ports, so nothing shared is touched); a ban
// on one, then how long until all three refuse each credential. Printed, never
// asserted (test/faults/three-instances.test.ts asserts the 1 s bound).
// Needs the built CLI: `npm run build` first. BENCH_TRIALS (default 50) trials.
import { startCluster } from '../test/helpers/cluster.js';
import {
  Admin,
  CREDENTIAL_PROBES,
  type Credentials,
  meByCookie,
  signUpAndIn,
} from '../test/helpers/cluster-users.js';

const trials = Number(process.env.BENCH_TRIALS ?? 50);
const CREDENTIALS = CREDENTIAL_PROBES.map(([name]) => name);

const cluster = await startCluster({ settings: { rateLimit: { registerPerIp: 1e9 } } });
try {
  const urls = cluster.instances.map((instance) => instance.url);
  const at = (i: number) => urls[i % urls.length] as string;
  const admin = new Admin(cluster.admin.email, cluster.admin.password);
  if ((await admin.signIn(at(0))) !== 200) throw new Error('admin sign-in failed');

  const all: number[] = [];
  const byCredential = CREDENTIALS.map(() => [] as number[]);
  for (let trial = 0; trial < trials; trial += 1) {
    const user: Credentials = await signUpAndIn(at(trial), at(trial));
    // Warm every instance (a per-instance cache, if any, now holds the session).
    for (const url of urls) for (let i = 0; i < 3; i += 1) await meByCookie(url, user);
    const status = await admin.post(at(trial + 1), `/admin/users/${user.userId}/ban`, {});
    const bannedAt = performance.now();
    if (status !== 200) throw new Error(`ban answered ${status}`);
    // Per instance and credential, when it was first refused.
    const refused = urls.map(() => CREDENTIALS.map(() => Number.NaN));
    while (refused.some((row) => row.some(Number.isNaN))) {
      // Each answer timed on its own: a slow neighbour in the round does not count against it.
      await Promise.all(
        urls.flatMap((url, i) =>
          CREDENTIAL_PROBES.map(async ([, probe], k) => {
            const row = refused[i] as number[];
            if (!Number.isNaN(row[k])) return;
            const status = await probe(url, user);
            if (status === 401) row[k] = performance.now() - bannedAt;
          }),
        ),
      );
      if (performance.now() - bannedAt > 30_000) throw new Error('a ban was never enforced');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    CREDENTIALS.forEach((_, k) => {
      byCredential[k]?.push(Math.max(...refused.map((row) => row[k] as number)));
    });
    all.push(Math.max(...refused.flat()));
  }

  const quantile = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  };
  const row = (name: string, values: number[]) =>
    `${name.padEnd(28)}${quantile(values, 0.5).toFixed(1).padStart(10)}${quantile(values, 0.99)
      .toFixed(1)
      .padStart(10)}${Math.max(...values)
      .toFixed(1)
      .padStart(10)}`;
  console.log(
    `\nGatehouse 3-instance ban latency — ${trials} trials, ban on one instance → refused by all three (polled every 10 ms)\n`,
  );
  console.log(
    `${'refused by all 3'.padEnd(28)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'max ms'.padStart(10)}`,
  );
  console.log(row('every credential', all));
  CREDENTIALS.forEach((name, k) => {
    console.log(row(`  ${name}`, byCredential[k] as number[]));
  });
} finally {
  await cluster.stop();
}
