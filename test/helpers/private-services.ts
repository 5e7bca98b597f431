import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Private PostgreSQL and Redis servers on spare ports, for fault tests that
 * stop and restart them mid-load without touching the machine's shared ones.
 */

/** A port the kernel just handed out and released; good enough for a private server. */
export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(ready: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} did not become ready`);
    await sleep(100);
  }
}

export interface PrivateRedis {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good (end of the test). */
  destroy(): Promise<void>;
}

const redisAnswers = (port: number) =>
  spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() ===
  'PONG';

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await sparePort();
  const start = async () => {
    execFileSync('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
      '--logfile',
      '',
    ]);
    await waitFor(() => redisAnswers(port), `redis on ${port}`);
  };
  const stop = async () => {
    spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
    await waitFor(() => !redisAnswers(port), `redis on ${port} stopping`);
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, start, stop, destroy: stop };
}

export interface PrivatePostgres {
  port: number;
  /** The `postgres` database of the private cluster (trust auth). */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const PG_BIN = '/usr/lib/postgresql/15/bin';
/** PostgreSQL refuses to run as root: run its tools as the `postgres` OS user when we are root. */
const asPostgres = (command: string, args: string[]) => {
  const isRoot = process.getuid?.() === 0;
  const [file, argv] = isRoot
    ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, command), ...args]]
    : [join(PG_BIN, command), args];
  return spawnSync(file, argv, { encoding: 'utf8' });
};

const pgAnswers = (port: number) =>
  spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-q']).status === 0;

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await sparePort();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const init = asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = async () => {
    const started = asPostgres('pg_ctl', [
      '-D',
      data,
      '-o',
      options,
      '-l',
      join(dir, 'log'),
      'start',
    ]);
    if (started.status !== 0) throw new Error(`pg_ctl start failed: ${started.stderr}`);
    await waitFor(() => pgAnswers(port), `postgres on ${port}`);
  };
  const stop = async () => {
    asPostgres('pg_ctl', ['-D', data, '-m', 'fast', 'stop']);
    await waitFor(() => !pgAnswers(port), `postgres on ${port} stopping`);
  };
  await start();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
