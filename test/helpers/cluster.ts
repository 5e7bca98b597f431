import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strongPassword } from './accounts.js';
import { type CliServer, cliBin, startCliServer } from './cli-server.js';
import {
  type PrivatePostgres,
  type PrivateRedis,
  sparePort,
  startPrivatePostgres,
  startPrivateRedis,
} from './private-services.js';

/**
 * Several `gatehouse serve` processes on one private PostgreSQL and one
 * private Redis, configured the way an operator would (DATABASE_URL,
 * REDIS_URL, one data dir for the shared secret key, a config file), each on
 * a port of its own that it keeps across a SIGKILL and restart.
 */
export interface Instance {
  readonly index: number;
  readonly url: string;
  /** The running process, or undefined between a kill and its restart. */
  process: CliServer | undefined;
  /** Everything every process of this instance wrote to stdout, restarts included. */
  output(): string;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export interface Cluster {
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  instances: Instance[];
  admin: { email: string; password: string };
  stop(): Promise<void>;
}

/** `gatehouse <args>` with `input` on its standard input (the CLI reads passwords only there). */
function runCliWithInput(args: string[], env: Record<string, string>, input: string) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      env: { PATH: process.env.PATH, NODE_ENV: 'test', ...env },
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

/** Polls `/readyz` until it answers 200 (the store and Redis answer) or the time is up. */
export async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ClusterOptions {
  size?: number;
  /** The config file's content (JSON settings). */
  settings?: Record<string, unknown>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const postgres = await startPrivatePostgres();
  const redis = await startPrivateRedis().catch(async (error: unknown) => {
    await postgres.destroy();
    throw error;
  });
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cluster-'));
  const configFile = join(dir, 'gatehouse.json');
  // One public URL, the load balancer's, as an operator sets it: it is the tokens' issuer, so
  // each instance's own address would make the others refuse its access tokens.
  writeFileSync(
    configFile,
    JSON.stringify({ publicUrl: 'http://auth.cluster.test', ...options.settings }),
  );
  const env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, LOG_LEVEL: 'info' };
  const common = ['--data-dir', join(dir, 'data'), '--config', configFile];
  const instances: Instance[] = [];
  const stop = async () => {
    for (const instance of instances) await instance.process?.stop();
    await redis.destroy();
    await postgres.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // One migration and one admin before any instance starts: nothing races to create them.
    const migrated = await runCliWithInput(['migrate', ...common], env, '');
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.output}`);
    const admin = { email: 'chaos-admin@example.com', password: strongPassword };
    const created = await runCliWithInput(
      ['user', 'create', '--email', admin.email, '--role', 'admin', '--password-stdin', ...common],
      env,
      admin.password,
    );
    if (created.code !== 0) throw new Error(`user create failed: ${created.output}`);
    for (let index = 0; index < (options.size ?? 3); index += 1) {
      const port = await sparePort();
      const earlier: string[] = [];
      const instance: Instance = {
        index,
        url: `http://127.0.0.1:${port}`,
        process: undefined,
        output: () => [...earlier, instance.process?.stdout() ?? ''].join(''),
        async kill() {
          const running = instance.process;
          if (!running) return;
          instance.process = undefined;
          earlier.push(running.stdout());
          const exited = new Promise((resolve) => running.child.once('exit', resolve));
          running.child.kill('SIGKILL');
          await exited;
        },
        async restart() {
          instance.process = await startCliServer(env, [...common, '--port', String(port)]);
        },
      };
      await instance.restart();
      instances.push(instance);
    }
    return { postgres, redis, instances, admin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
