import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TOTP_DEFAULTS, totpCode } from '../../src/authn/mfa/totp.js';
import { strongPassword } from '../helpers/accounts.js';
import { type CliRun, cliBin, startCliServer } from '../helpers/cli-server.js';
import { Client } from '../helpers/client.js';
import { freshPostgresDatabase } from '../helpers/fresh-postgres.js';

/**
 * `gatehouse secret rotate`, run as an operator runs it, on SQLite and on
 * PostgreSQL: data made under secret A (a TOTP factor, a sign-in provider's
 * client secret, rotated signing keys) works under B after the rotation; a
 * wrong old secret, or a write that fails half-way, changes nothing; a server
 * given the wrong secret says so in one line instead of a crypto error.
 */
const root = mkdtempSync(join(tmpdir(), 'gatehouse-secret-rotation-'));
const dropped: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.allSettled(dropped.map((drop) => drop()));
  rmSync(root, { recursive: true, force: true });
});

const newSecret = () => randomBytes(32).toString('base64url');
const STEP_MS = TOTP_DEFAULTS.periodSeconds * 1000;
const codeAt = (secret: string, steps: number) =>
  totpCode(secret, TOTP_DEFAULTS, Date.now() + steps * STEP_MS);

/** `gatehouse <args>` with `input` on stdin (the way secrets reach the CLI). */
function gatehouse(args: string[], env: Record<string, string>, input = ''): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      env: { PATH: process.env.PATH, NODE_ENV: 'test', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, killed: false }));
    child.stdin.end(input);
  });
}

interface Backend {
  /** Where the data lives: a fresh data dir, and a fresh database on PostgreSQL. */
  env: Record<string, string>;
  /** Runs a statement on the database directly, as an operator's tool would. */
  exec(statement: string): Promise<void>;
}

async function freshBackend(kind: 'sqlite' | 'postgres'): Promise<Backend> {
  const dataDir = mkdtempSync(join(root, 'data-'));
  if (kind === 'sqlite') {
    return {
      env: { GATEHOUSE_DATA_DIR: dataDir },
      async exec(statement) {
        const db = new SQLite(join(dataDir, 'gatehouse.sqlite'));
        try {
          db.exec(statement);
        } finally {
          db.close();
        }
      },
    };
  }
  const database = await freshPostgresDatabase();
  dropped.push(database.drop);
  return {
    env: { GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: database.url },
    async exec(statement) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    },
  };
}

/** Makes every UPDATE of `table` fail, as a crash half-way through the rotation would. */
const failingUpdates = (kind: 'sqlite' | 'postgres', table: string) =>
  kind === 'sqlite'
    ? `CREATE TRIGGER fail_rotation BEFORE UPDATE ON ${table}
       BEGIN SELECT RAISE(ABORT, 'injected failure'); END`
    : `CREATE FUNCTION fail_rotation() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
       CREATE TRIGGER fail_rotation BEFORE UPDATE ON ${table}
         FOR EACH ROW EXECUTE FUNCTION fail_rotation()`;
const dropFailingUpdates = (kind: 'sqlite' | 'postgres', table: string) =>
  kind === 'sqlite'
    ? 'DROP TRIGGER fail_rotation'
    : `DROP TRIGGER fail_rotation ON ${table}; DROP FUNCTION fail_rotation()`;

interface Seeded {
  email: string;
  totpSecret: string;
  /** An access token issued under secret A, before `keys rotate`. */
  accessToken: string;
}

/**
 * Under secret A: a user with an authenticator app, a sign-in provider with a
 * client secret (`oidc add`), and a `keys rotate` (two signing keys sealed).
 */
async function seedUnder(secret: string, backend: Backend): Promise<Seeded> {
  const env = { ...backend.env, GATEHOUSE_SECRET_KEY: secret };
  const server = await startCliServer(env);
  try {
    const email = `rotation-${randomBytes(4).toString('hex')}@example.com`;
    const client = new Client(server.url);
    expect((await client.post('/auth/register', { email, password: strongPassword })).status).toBe(
      201,
    );
    const login = await client.post<{ csrfToken: string; accessToken: string }>('/auth/login', {
      email,
      password: strongPassword,
    });
    expect(login.status).toBe(200);
    client.csrfToken = login.body.csrfToken;
    const setup = await client.post<{ secret: string }>('/auth/mfa/totp/setup');
    expect(setup.status).toBe(200);
    const totpSecret = setup.body.secret;
    const confirm = await client.post('/auth/mfa/totp/confirm', { code: codeAt(totpSecret, 0) });
    expect(confirm.status).toBe(200);
    const added = await gatehouse(
      [
        'oidc',
        'add',
        '--id',
        'corp',
        '--name',
        'Corp Identity',
        '--issuer',
        'https://idp.example.com',
        '--client-id',
        'gatehouse',
        '--client-secret-stdin',
      ],
      env,
      'corp-client-secret\n',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const rotated = await gatehouse(['keys', 'rotate'], env);
    expect(rotated.code).toBe(0);
    return { email, totpSecret, accessToken: login.body.accessToken };
  } finally {
    await server.stop();
  }
}

const SECRET_LINE =
  /^gatehouse: invalid setting secretKey: the signing keys were sealed with another secret: set the GATEHOUSE_SECRET_KEY they were sealed with, or rotate it with `gatehouse secret rotate`$/;

/** `serve` under `secret` must refuse to start, with the one line that explains it. */
async function expectServeRefuses(secret: string, backend: Backend) {
  const refused = await gatehouse(['serve', '--port', '0'], {
    ...backend.env,
    GATEHOUSE_SECRET_KEY: secret,
  });
  expect(refused.code).toBe(2);
  expect(refused.stdout).not.toContain('Gatehouse listening');
  expect(refused.stderr.trimEnd()).toMatch(SECRET_LINE);
}

const keyFile = (secret: string) => {
  const path = join(root, `key-${randomBytes(4).toString('hex')}`);
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return path;
};

const rotate = (backend: Backend, oldSecret: string, newSecret: string) =>
  gatehouse(
    ['secret', 'rotate', '--old-file', keyFile(oldSecret), '--new-stdin'],
    backend.env,
    `${newSecret}\n`,
  );

const everything = { 'signing-key': 2, 'totp-factor': 1, 'oidc-provider': 1 };

describe.each(['sqlite', 'postgres'] as const)('gatehouse secret rotate on %s', (kind) => {
  it('re-seals everything made under A: under B the TOTP sign-in, the old token and the provider work', async () => {
    const backend = await freshBackend(kind);
    const [a, b] = [newSecret(), newSecret()];
    const seeded = await seedUnder(a, backend);

    const wrong = await rotate(backend, newSecret(), b);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trimEnd()).toMatch(
      /^gatehouse: secret rotate refused: the old secret does not open 4 sealed value\(s\), first among the signing keys .*; nothing was changed$/,
    );

    const rotated = await rotate(backend, a, b);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    // All four boxes came from A: the wrong attempt before changed none of them.
    expect(JSON.parse(rotated.stdout)).toEqual({ resealed: everything, alreadyUnderNewSecret: 0 });

    const again = await rotate(backend, a, b);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      resealed: { 'signing-key': 0, 'totp-factor': 0, 'oidc-provider': 0 },
      alreadyUnderNewSecret: 4,
    });

    await expectServeRefuses(a, backend);

    const server = await startCliServer({ ...backend.env, GATEHOUSE_SECRET_KEY: b });
    try {
      const client = new Client(server.url);
      const first = await client.post<{ mfaRequired: boolean; challenge: string }>('/auth/login', {
        email: seeded.email,
        password: strongPassword,
      });
      expect(first.body.mfaRequired).toBe(true);
      const verified = await client.post<{ accessToken: string }>('/auth/mfa/verify', {
        challenge: first.body.challenge,
        method: 'totp',
        code: codeAt(seeded.totpSecret, 1),
      });
      expect(verified.status).toBe(200);
      const me = (token: string) =>
        new Client(server.url).get<{ user: { email: string } }>('/auth/me', {
          headers: { authorization: `Bearer ${token}` },
        });
      expect((await me(verified.body.accessToken)).body.user.email).toBe(seeded.email);
      // Issued under A by a key that was retired since: its signature still verifies.
      expect((await me(seeded.accessToken)).status).toBe(200);
      // The sign-in page lists the provider, opening its client secret to do so.
      const page = await new Client(server.url).get('/login');
      expect(page.status).toBe(200);
      expect(page.text).toContain('Corp Identity');
    } finally {
      await server.stop();
    }
  }, 240_000);

  it('a write that fails half-way leaves everything sealed under A', async () => {
    const backend = await freshBackend(kind);
    const [a, b] = [newSecret(), newSecret()];
    await seedUnder(a, backend);
    // The provider secrets are re-sealed last: signing keys and TOTP secrets were written before it fails.
    await backend.exec(failingUpdates(kind, 'oidc_providers'));
    const failed = await rotate(backend, a, b);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/injected failure/);
    await backend.exec(dropFailingUpdates(kind, 'oidc_providers'));

    await expectServeRefuses(b, backend);
    const rotated = await rotate(backend, a, b);
    expect(JSON.parse(rotated.stdout)).toEqual({ resealed: everything, alreadyUnderNewSecret: 0 });
  }, 240_000);
});
