import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freshDatabase, redisUrl } from './backend.js';
import { readmeQuickStart } from './readme.js';
import { freePort } from './server.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** Inside the repository (git-ignored), so the code's imports resolve to the repository's node_modules. */
const SCRATCH = join(ROOT, '.quick-starts');

/**
 * A README quick start written to a file as it stands, with one change: `from 'gatehouse'`
 * points at the repository's src/index.ts (the tests run the sources, never a stale dist/).
 */
export function quickStartFile(name: string): { path: string; remove(): void } {
  const code = readmeQuickStart(name);
  if (!code.includes("from 'gatehouse'")) throw new Error(`${name} does not import gatehouse`);
  mkdirSync(SCRATCH, { recursive: true });
  const path = join(SCRATCH, `${name}-${randomBytes(4).toString('hex')}.ts`);
  writeFileSync(path, code.replaceAll("from 'gatehouse'", `from '${join(ROOT, 'src/index.ts')}'`));
  return { path, remove: () => rmSync(path, { force: true }) };
}

/** The environment a quick start reads through loadSettings(): fresh state of its own. */
export async function quickStartEnv(extra: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-quick-start-'));
  const database = await freshDatabase();
  const redis = redisUrl();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    GATEHOUSE_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: `gh-test:${randomBytes(6).toString('hex')}:`,
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...(redis ? { REDIS_URL: redis } : {}),
    ...extra,
  };
  return {
    env,
    async drop() {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RunningQuickStart {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/** Runs a quick start as its own process (`node --import tsx`) and waits until it answers. */
export async function runQuickStart(name: string): Promise<RunningQuickStart> {
  const file = quickStartFile(name);
  const port = await freePort();
  const state = await quickStartEnv({ PORT: String(port) });
  const { DATABASE_URL: _admin, REDIS_URL: _redis, ...inherited } = process.env;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions', 'gatehouse-source', '--import', 'tsx', file.path],
    { env: { ...inherited, ...state.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += String(chunk)));
  child.stderr?.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    file.remove();
    await state.drop();
  };
  const url = `http://localhost:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || attempt > 300) {
      await stop();
      throw new Error(`${name} quick start did not start:\n${output}`);
    }
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, output: () => output, stop };
    await new Promise((wait) => setTimeout(wait, 100));
  }
}
