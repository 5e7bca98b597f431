// Issue 13's import rate: N users (BENCH_IMPORT_USERS, 100,000) in Gatehouse JSONL with one
// precomputed bcrypt hash, imported by the built CLI (`npm run build` first) into a fresh
// PostgreSQL database (BENCH_DATABASE_URL or DATABASE_URL, else the local server), timed from the
// process start to its exit: users per minute. Printed, never asserted.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import pg from 'pg';

const users = Number(process.env.BENCH_IMPORT_USERS ?? 100_000);
const adminUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function writeUsers(file: string): Promise<void> {
  const hash = bcrypt.hashSync('a benchmark passphrase', 10);
  const out = createWriteStream(file);
  for (let i = 0; i < users; i += 1) {
    const line = JSON.stringify({
      email: `bench-${i}@example.com`,
      emailVerified: i % 2 === 0,
      roles: i % 100 === 0 ? ['admin'] : [],
      passwordHash: hash,
    });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function run(args: string[], env: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-import-'));
const name = `gh_bench_import_${randomBytes(4).toString('hex')}`;
try {
  const file = join(dir, 'users.jsonl');
  await writeUsers(file);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const env = {
    DATABASE_URL: url.toString(),
    GATEHOUSE_DATA_DIR: dir,
    GATEHOUSE_SECRET_KEY: randomBytes(32).toString('hex'),
  };
  // Migrations are not the import: the schema is made first.
  if ((await run(['migrate'], env)) !== 0) throw new Error('migrate failed');
  const started = performance.now();
  const code = await run(['import', 'users', file, '--format', 'jsonl'], env);
  const minutes = (performance.now() - started) / 60_000;
  if (code !== 0) throw new Error(`import exited with ${code}`);
  console.log(
    `import: ${users} users (JSONL, bcrypt kept) into a fresh PostgreSQL database in ${(minutes * 60).toFixed(1)} s: ${Math.round(users / minutes)} users/minute (target ≥ 50,000)`,
  );
} finally {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
