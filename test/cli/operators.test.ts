import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBackends } from '../helpers/cli-backends.js';
import { type CliServer, cliBin, startCliServer } from '../helpers/cli-server.js';
import { tokenOf } from '../helpers/outbox.js';
import { within } from '../helpers/tokens.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `gatehouse <args>` as its own process, stdin given (and closed), only `env` in its environment. */
function gatehouse(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
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
    child.stdin.end(stdin);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('gatehouse help, version and mistakes', () => {
  const env = {};
  const version = (
    JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

  for (const args of [['--help'], ['help'], ['-h'], []]) {
    it(`${JSON.stringify(args)}: usage on stdout, exit 0`, async () => {
      const run = await gatehouse(args, env);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^usage: gatehouse <command>/);
      for (const command of ['user list', 'user delete', 'user reset-password', 'keys rotate'])
        expect(run.stdout).toContain(command);
    });
  }

  it('<command> --help prints that command only, on stdout, and opens no database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-help-'));
    try {
      const run = await gatehouse(['user', 'delete', '--help'], { GATEHOUSE_DATA_DIR: dir });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^usage: gatehouse user/);
      expect(run.stdout).toContain('user delete --email E [--yes]');
      expect(run.stdout).not.toContain('keys rotate');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--version prints the package version', async () => {
    const run = await gatehouse(['--version'], env);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it('an unknown command or option says so on stderr with the usage, exit 2', async () => {
    const command = await gatehouse(['frobnicate'], env);
    expect(command.code).toBe(2);
    expect(command.stdout).toBe('');
    expect(command.stderr).toMatch(/^gatehouse: unknown command "frobnicate"\nusage: gatehouse/);
    const option = await gatehouse(['--frobnicate'], env);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^gatehouse: unknown option "--frobnicate"\nusage:/);
    const inner = await gatehouse(['user', 'list', '--frobnicate'], env);
    expect(inner.code).toBe(2);
    expect(inner.stderr).toMatch(/--frobnicate/);
    expect(inner.stderr).toMatch(/usage: gatehouse/);
    const action = await gatehouse(['user', 'frobnicate', '--email', 'a@example.com'], env);
    expect(action.code).toBe(2);
    expect(action.stderr).toMatch(/user takes create, list/);
  }, 120_000);
});

const backends = cliBackends('operators');
const password = 'a very long operator passphrase';

// Each test runs several CLI processes, each a fresh Node.js: minutes on a loaded machine, not a timing bound.
const slowIt = (name: string, test: () => Promise<void>) => it(name, test, 180_000);

describe.each(backends)('operator commands against a running server on $name', (backend) => {
  let env: Record<string, string>;
  let tearDown: () => Promise<void>;
  let server: CliServer;
  beforeAll(async () => {
    ({ env, tearDown } = await backend.setUp());
    server = await startCliServer(env);
  }, 120_000);
  afterAll(async () => {
    await server.stop();
    await tearDown();
  }, 60_000);

  const tag = () => `op${randomBytes(4).toString('hex')}`;
  const create = async (email: string, roles: string[] = []) => {
    const args = ['user', 'create', '--email', email, '--password-stdin'];
    for (const role of roles) args.push('--role', role);
    const run = await gatehouse(args, env, `${password}\n`);
    expect(run.code, run.stderr).toBe(0);
    return String(JSON.parse(run.stdout).id);
  };
  const login = async (email: string) => {
    const response = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, refreshTokenDelivery: 'body' }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { accessToken: string; refreshToken: string };
  };
  const me = async (accessToken: string) => {
    const response = await fetch(`${server.url}/auth/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    return {
      status: response.status,
      body: (await response.json()) as { user?: { roles: string[] } },
    };
  };
  const auditCount = async (adminToken: string, userId: string, type: string) => {
    const response = await fetch(`${server.url}/admin/audit?userId=${userId}&type=${type}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { events: unknown[] }).events.length;
  };
  /** Some seconds: SQLite instances hear a change on their next poll of the revocations. */
  const soon = (check: () => Promise<boolean>) => within(10_000, check);

  slowIt(
    'user list: filters by prefix, role and ban, in email order, as columns or JSON lines',
    async () => {
      const t = tag();
      await create(`${t}-c@example.com`, ['admin']);
      await create(`${t}-a@example.com`);
      await create(`${t}-b@example.com`, ['admin']);
      const ban = await gatehouse(
        ['user', 'ban', '--email', `${t}-b@example.com`, '--reason', 'fraud ring'],
        env,
      );
      expect(ban.code, ban.stderr).toBe(0);

      const all = await gatehouse(['user', 'list', '--email', t, '--json'], env);
      expect(all.code, all.stderr).toBe(0);
      expect(jsonLines(all.stdout).map((u) => u.email)).toEqual([
        `${t}-a@example.com`,
        `${t}-b@example.com`,
        `${t}-c@example.com`,
      ]);
      expect(jsonLines(all.stdout)[1]).toMatchObject({ banned: true, bannedReason: 'fraud ring' });
      expect(all.stdout).not.toMatch(/argon2|password/i);

      const admins = await gatehouse(
        ['user', 'list', '--email', t, '--role', 'admin', '--json'],
        env,
      );
      expect(jsonLines(admins.stdout).map((u) => u.email)).toEqual([
        `${t}-b@example.com`,
        `${t}-c@example.com`,
      ]);
      const banned = await gatehouse(['user', 'list', '--email', t.toUpperCase(), '--banned'], env);
      const rows = banned.stdout.trim().split('\n');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.split('\t')).toEqual([
        `${t}-b@example.com`,
        expect.stringMatching(/^[0-9a-f-]{36}$/),
        'admin',
        'banned: fraud ring',
      ]);
      const none = await gatehouse(['user', 'list', '--email', `${t}-zzz`], env);
      expect(none).toMatchObject({ code: 0, stdout: '' });
    },
  );

  slowIt(
    'user roles: sets roles (audited once), refuses one the policy lacks; running tokens get cut off',
    async () => {
      const t = tag();
      const adminId = await create(`${t}-admin@example.com`, ['admin']);
      const adminToken = (await login(`${t}-admin@example.com`)).accessToken;
      const userId = await create(`${t}@example.com`);
      const tokens = await login(`${t}@example.com`);
      expect((await me(tokens.accessToken)).body.user?.roles).toEqual([]);

      const refused = await gatehouse(
        ['user', 'roles', '--email', `${t}@example.com`, '--set', 'admin,editor'],
        env,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toEqual([
        "gatehouse: unknown_role: The policy defines no role 'editor'.",
      ]);
      expect(await auditCount(adminToken, userId, 'roles_changed')).toBe(0);

      const set = await gatehouse(
        ['user', 'roles', '--email', `${t}@example.com`, '--set', 'admin'],
        env,
      );
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse(set.stdout)).toEqual({ email: `${t}@example.com`, roles: ['admin'] });
      // The old token carried the old roles: the server refuses it, as after the admin API's change.
      expect(await soon(async () => (await me(tokens.accessToken)).status === 401)).toBe(true);
      const refreshed = await fetch(`${server.url}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: tokens.refreshToken }),
      });
      expect(refreshed.status).toBe(200);
      const { accessToken } = (await refreshed.json()) as { accessToken: string };
      expect((await me(accessToken)).body.user?.roles).toEqual(['admin']);
      expect(await auditCount(adminToken, userId, 'roles_changed')).toBe(1);
      expect(adminId).not.toBe(userId);
    },
  );

  slowIt(
    'user sessions and revoke-sessions: lists the live ones, ends them all, tokens die',
    async () => {
      const t = tag();
      await create(`${t}@example.com`);
      const first = await login(`${t}@example.com`);
      const second = await login(`${t}@example.com`);
      const listed = await gatehouse(
        ['user', 'sessions', '--email', `${t}@example.com`, '--json'],
        env,
      );
      expect(listed.code, listed.stderr).toBe(0);
      expect(
        jsonLines(listed.stdout)
          .map((s) => s.id)
          .sort(),
      ).toEqual([decodeJwt(first.accessToken).sid, decodeJwt(second.accessToken).sid].sort());
      expect(listed.stdout).not.toContain(first.refreshToken);

      const revoked = await gatehouse(
        ['user', 'revoke-sessions', '--email', `${t}@example.com`],
        env,
      );
      expect(JSON.parse(revoked.stdout)).toEqual({ email: `${t}@example.com`, revoked: 2 });
      expect(await soon(async () => (await me(second.accessToken)).status === 401)).toBe(true);
      const after = await gatehouse(['user', 'sessions', '--email', `${t}@example.com`], env);
      expect(after).toMatchObject({ code: 0, stdout: '' });
    },
  );

  slowIt('user reset-password mails a working reset link; a banned user gets none', async () => {
    const t = tag();
    const email = `${t}@example.com`;
    await create(email);
    const sent = await gatehouse(['user', 'reset-password', '--email', email], env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({ sent: email });
    const outbox = (await (await fetch(`${server.url}/dev/outbox`)).json()) as {
      messages: Array<{ to: string; subject: string; text: string }>;
    };
    const mail = outbox.messages.filter((m) => m.to === email);
    expect(mail).toHaveLength(1);
    const token = tokenOf(mail[0]);
    expect(token).toBeTruthy();
    const reset = await fetch(`${server.url}/auth/password/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, newPassword: 'another long operator passphrase' }),
    });
    expect(reset.status).toBe(204);

    await gatehouse(['user', 'ban', '--email', email], env);
    const refused = await gatehouse(['user', 'reset-password', '--email', email], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^gatehouse: conflict: .*banned/);
  });

  slowIt(
    'user delete: refuses without --yes off a terminal; with it, the user and their tokens are gone',
    async () => {
      const t = tag();
      const email = `${t}@example.com`;
      const userId = await create(email);
      const tokens = await login(email);
      const unconfirmed = await gatehouse(['user', 'delete', '--email', email], env);
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.stderr).toMatch(/--yes/);
      expect((await me(tokens.accessToken)).status).toBe(200);

      const deleted = await gatehouse(['user', 'delete', '--email', email, '--yes'], env);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(JSON.parse(deleted.stdout)).toEqual({ deleted: email, id: userId });
      expect(await soon(async () => (await me(tokens.accessToken)).status === 401)).toBe(true);
      const list = await gatehouse(['user', 'list', '--email', email], env);
      expect(list.stdout).toBe('');
      const again = await gatehouse(['user', 'delete', '--email', email, '--yes'], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/no user with email/);
    },
  );

  slowIt(
    'keys list prints a JWKS that verifies the server’s tokens; keys rotate reaches the running server in seconds',
    async () => {
      const t = tag();
      await create(`${t}@example.com`);
      const before = await login(`${t}@example.com`);
      const listed = await gatehouse(['keys', 'list'], env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).not.toMatch(/"d":/);
      const jwks = createLocalJWKSet(JSON.parse(listed.stdout));
      await expect(jwtVerify(before.accessToken, jwks)).resolves.toBeTruthy();
      const oldKid = decodeProtectedHeader(before.accessToken).kid;

      const rotated = await gatehouse(['keys', 'rotate'], env);
      expect(rotated.code, rotated.stderr).toBe(0);
      const { signingKid } = JSON.parse(rotated.stdout) as { signingKid: string };
      expect(signingKid).not.toBe(oldKid);

      let latest = before.accessToken;
      const switched = await within(5000, async () => {
        latest = (await login(`${t}@example.com`)).accessToken;
        return decodeProtectedHeader(latest).kid === signingKid;
      });
      expect(switched).toBe(true);
      // The server's JWKS and the CLI's list both publish the new key and still the old one.
      const served = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
        keys: Array<{ kid: string }>;
      };
      expect(served.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([signingKid, oldKid]));
      const relisted = createLocalJWKSet(
        JSON.parse((await gatehouse(['keys', 'list'], env)).stdout),
      );
      await expect(jwtVerify(latest, relisted)).resolves.toBeTruthy();
      await expect(jwtVerify(before.accessToken, relisted)).resolves.toBeTruthy();
      expect((await me(before.accessToken)).status).toBe(200);
    },
  );
});
