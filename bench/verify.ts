/**
 * Access-token verification throughput: the gatehouse/verify verifier
 * (cached and uncached) beside raw jose.jwtVerify, and a Fastify route
 * protected by the verify middleware beside a bare Fastify route, for EdDSA
 * and ES256. Run: node --import tsx bench/verify.ts  (about 65 s)
 */
import { fork } from 'node:child_process';
import { createRevocationSet, createVerifier } from '@gatehouse/verify';
import autocannon from 'autocannon';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { buildJwks } from '../src/crypto/jwks.js';
import { signAccessToken } from '../src/crypto/sign-access-token.js';
import { generateSigningKey, type SigningAlgorithm } from '../src/crypto/signing-keys.js';

const ISSUER = 'https://gatehouse.bench';
const AUDIENCE = 'api://bench';
const MICRO_DURATION_MILLISECONDS = 1500;
const HTTP_DURATION_SECONDS = 3;
const HTTP_ROUNDS = 3;
const CONNECTIONS = 50;
const WARM_UP_SECONDS = 1;

interface Row {
  alg: SigningAlgorithm;
  subject: string;
  perSecond: number;
  unit: 'verifications/s' | 'requests/s';
  samples?: readonly number[];
}

async function opsPerSecond(operation: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i += 1) await operation();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < MICRO_DURATION_MILLISECONDS) {
    for (let i = 0; i < 100; i += 1) await operation();
    count += 100;
  }
  return (count * 1000) / (performance.now() - start);
}

type Mode = 'bare' | 'noop-hook' | 'protected' | 'protected-uncached';

interface Target {
  readonly mode: Mode;
  readonly port: number;
  stop(): void;
}

async function startTarget(mode: Mode, jwks: unknown): Promise<Target> {
  const url = new URL('./verify-target.ts', import.meta.url);
  const child = fork(url, [mode, ISSUER, AUDIENCE, JSON.stringify(jwks)], {
    execArgv: ['--import', 'tsx'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
  });
  return { mode, port, stop: () => child.disconnect() };
}

async function load(target: Target, token: string, durationSeconds: number): Promise<number> {
  const result = await autocannon({
    url: `http://127.0.0.1:${target.port}/resource`,
    connections: CONNECTIONS,
    duration: durationSeconds,
    headers: { authorization: `Bearer ${token}` },
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target.mode}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return result.requests.average;
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Bare and protected runs alternate, so drift on a shared machine hits both alike. */
async function requestsPerSecond(jwks: unknown, token: string): Promise<Map<Mode, number[]>> {
  const modes: Mode[] = ['bare', 'noop-hook', 'protected', 'protected-uncached'];
  const targets = await Promise.all(modes.map((mode) => startTarget(mode, jwks)));
  const samples = new Map<Mode, number[]>(modes.map((mode) => [mode, []]));
  try {
    for (const target of targets) await load(target, token, WARM_UP_SECONDS);
    for (let round = 0; round < HTTP_ROUNDS; round += 1) {
      for (const target of targets) {
        if (target.mode === 'protected-uncached' && round > 0) continue;
        samples.get(target.mode)?.push(await load(target, token, HTTP_DURATION_SECONDS));
      }
    }
  } finally {
    for (const target of targets) target.stop();
  }
  return samples;
}

async function benchAlgorithm(alg: SigningAlgorithm): Promise<Row[]> {
  const key = await generateSigningKey(alg, new Date());
  const jwks = buildJwks([key]);
  const token = await signAccessToken(key, {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    sid: 'session-1',
    roles: ['member'],
    rolesVersion: 0,
    amr: ['pwd'],
    acr: 'aal1',
    authTimeSeconds: Math.floor(Date.now() / 1000),
    scope: 'orders:read',
    lifetimeSeconds: 3600,
    now: new Date(),
  });
  const options = { issuer: ISSUER, audience: AUDIENCE, jwks, revocation: createRevocationSet() };
  const cached = createVerifier(options);
  const uncached = createVerifier({ ...options, cache: { maxEntries: 0 } });
  const localJwks = createLocalJWKSet(jwks);
  const raw = () =>
    jwtVerify(token, localJwks, { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] });
  const row = (subject: string, perSecond: number, unit: Row['unit']): Row => ({
    alg,
    subject,
    perSecond,
    unit,
  });
  const micro = [
    row('raw jose.jwtVerify', await opsPerSecond(raw), 'verifications/s'),
    row('verifier, uncached', await opsPerSecond(() => uncached.verify(token)), 'verifications/s'),
    row('verifier, cached', await opsPerSecond(() => cached.verify(token)), 'verifications/s'),
  ];
  const http = await requestsPerSecond(jwks, token);
  const httpRow = (subject: string, mode: Mode) => ({
    ...row(subject, median(http.get(mode) ?? []), 'requests/s'),
    samples: http.get(mode) ?? [],
  });
  return [
    ...micro,
    httpRow('bare Fastify route', 'bare'),
    httpRow('no-op preHandler route', 'noop-hook'),
    httpRow('protected route', 'protected'),
    httpRow('protected route, no cache', 'protected-uncached'),
  ];
}

const spread = (row: Row): string =>
  row.samples !== undefined && row.samples.length > 1
    ? ` (median of ${row.samples.map((value) => Math.round(value / 1000)).join('k, ')}k)`
    : '';

function print(rows: readonly Row[]): void {
  const baseline = (row: Row) =>
    rows.find(
      (other) =>
        other.alg === row.alg &&
        other.subject === (row.unit === 'requests/s' ? 'bare Fastify route' : 'raw jose.jwtVerify'),
    )?.perSecond ?? Number.NaN;
  console.log(
    `\n${'alg'.padEnd(6)} ${'what'.padEnd(27)} ${'per second'.padStart(12)}  vs baseline`,
  );
  for (const row of rows) {
    const ratio = `${((row.perSecond / baseline(row)) * 100).toFixed(0)}%`;
    const figure = Math.round(row.perSecond).toLocaleString('en-US');
    console.log(
      `${row.alg.padEnd(6)} ${row.subject.padEnd(27)} ${figure.padStart(12)}  ${ratio.padStart(6)}  ${row.unit}${spread(row)}`,
    );
  }
  console.log(
    `\nNode ${process.version}, ${CONNECTIONS} connections, ${HTTP_DURATION_SECONDS} s per HTTP run`,
  );
}

const rows: Row[] = [];
for (const alg of ['EdDSA', 'ES256'] as const) rows.push(...(await benchAlgorithm(alg)));
print(rows);
