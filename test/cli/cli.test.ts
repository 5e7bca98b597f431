import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCliServer } from '../helpers/cli-server.js';

const bin = join(import.meta.dirname, '../../dist/cli/main.js');
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a separate process, as an operator would. */
function gatehouse(
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...options.env };
    const child = spawn(process.execPath, [bin, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.end(options.stdin ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('gatehouse CLI', () => {
  it('migrates, then reports the schema up to date', async () => {
    const first = await gatehouse(['migrate', '--data-dir', dataDir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied 0001_accounts_sessions/);
    const second = await gatehouse(['migrate', '--data-dir', dataDir]);
    expect(second.stdout).toMatch(/up to date/);
  });

  it('creates a user with a password from stdin and roles, and refuses a duplicate', async () => {
    const created = await gatehouse(
      [
        'user',
        'create',
        '--email',
        'Admin@Example.com',
        '--password-stdin',
        '--role',
        'admin',
        '--data-dir',
        dataDir,
      ],
      { stdin: 'a very long operator passphrase\n' },
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      email: 'admin@example.com',
      roles: ['admin'],
    });
    const again = await gatehouse(
      ['user', 'create', '--email', 'admin@example.com', '--password-stdin', '--data-dir', dataDir],
      {
        stdin: 'a very long operator passphrase\n',
      },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/conflict/);
  });

  it('refuses a role the policy does not define, in one line naming it, and creates nobody', async () => {
    const create = (role: string) =>
      gatehouse(
        [
          'user',
          'create',
          '--email',
          'roles@example.com',
          '--password-stdin',
          '--role',
          'admin',
          '--role',
          role,
          '--data-dir',
          dataDir,
        ],
        { stdin: 'a very long operator passphrase\n' },
      );
    const refused = await create('constructor');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^gatehouse: unknown_role: .*'constructor'/);
    expect(refused.stdout).toBe('');
    const created = await create('admin');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email: 'roles@example.com' });
  });

  it('refuses a weak password and a missing --password-stdin', async () => {
    const weak = await gatehouse(
      ['user', 'create', '--email', 'w@example.com', '--password-stdin', '--data-dir', dataDir],
      { stdin: 'short\n' },
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/weak_password.*at least 15/);
    const noStdin = await gatehouse([
      'user',
      'create',
      '--email',
      'w@example.com',
      '--data-dir',
      dataDir,
    ]);
    // A missing flag is a usage mistake: exit 2, as an unknown option is.
    expect(noStdin.code).toBe(2);
    expect(noStdin.stderr).toMatch(/--password-stdin/);
  });

  it('bans and unbans by email; an unknown email is an error', async () => {
    const ban = await gatehouse([
      'user',
      'ban',
      '--email',
      'admin@example.com',
      '--data-dir',
      dataDir,
    ]);
    expect(ban.code).toBe(0);
    expect(JSON.parse(ban.stdout)).toEqual({ banned: 'admin@example.com' });
    const unban = await gatehouse([
      'user',
      'unban',
      '--email',
      'admin@example.com',
      '--data-dir',
      dataDir,
    ]);
    expect(JSON.parse(unban.stdout)).toEqual({ unbanned: 'admin@example.com' });
    const unknown = await gatehouse([
      'user',
      'ban',
      '--email',
      'nobody@example.com',
      '--data-dir',
      dataDir,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no user with email nobody@example.com/);
  });

  it('creates a verified admin who signs in under requireVerifiedEmail; no verification mail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-verified-'));
    const email = 'first-admin@example.com';
    const password = 'a very long operator passphrase';
    const env = { GATEHOUSE_DATA_DIR: dir, GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'true' };
    const created = await gatehouse(
      ['user', 'create', '--email', email, '--password-stdin', '--role', 'admin'],
      { stdin: `${password}\n`, env },
    );
    expect(created.code, created.stderr).toBe(0);
    const server = await startCliServer(env);
    try {
      const login = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status).toBe(200);
      expect(await login.json()).toMatchObject({ user: { email, emailVerified: true } });
      const outbox = (await (await fetch(`${server.url}/dev/outbox`)).json()) as {
        messages: Array<{ to: string }>;
      };
      expect(outbox.messages.filter((m) => m.to === email)).toEqual([]);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops on a mail template with an unknown placeholder, naming the file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-templates-'));
    writeFileSync(join(dir, 'verify_email.txt'), 'Subject: Hi\n\n{{link}}\n{{passwrd}}\n');
    const run = await gatehouse(['serve', '--data-dir', dataDir, '--port', '0'], {
      env: { GATEHOUSE_MAIL_TEMPLATES_DIR: dir },
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^gatehouse: invalid setting mail\.templatesDir: \S+verify_email\.txt:4: unknown placeholder \{\{passwrd\}\} \(verify_email takes /,
    );
  });

  it('stops on a bad setting with one line naming it', async () => {
    const badPort = await gatehouse(['serve', '--data-dir', dataDir], { env: { PORT: 'eighty' } });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr.trim().split('\n')).toHaveLength(1);
    expect(badPort.stderr).toMatch(/^gatehouse: invalid setting port: /);
    const badDb = await gatehouse(['migrate', '--data-dir', dataDir], {
      env: { DATABASE_URL: 'mysql://x' },
    });
    expect(badDb.stderr).toMatch(/invalid setting databaseUrl/);
  });

  it('requires GATEHOUSE_SECRET_KEY in production', async () => {
    const run = await gatehouse(['serve', '--data-dir', dataDir, '--port', '0'], {
      env: { NODE_ENV: 'production' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid setting secretKey: GATEHOUSE_SECRET_KEY is required/);
  });

  it('requires GATEHOUSE_PUBLIC_URL in production', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-production-'));
    const run = await gatehouse(['serve', '--data-dir', dir, '--port', '0'], {
      env: { NODE_ENV: 'production', GATEHOUSE_SECRET_KEY: 'b'.repeat(64) },
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^gatehouse: invalid setting publicUrl: GATEHOUSE_PUBLIC_URL is required when NODE_ENV=production/,
    );
  });

  it('serves, printing the URL, the storage and the generated-secret warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-serve-'));
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dir], {
      env: { PATH: process.env.PATH },
    });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('Gatehouse listening') && out.includes('GATEHOUSE_SECRET_KEY')) resolve();
      });
    });
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    rmSync(dir, { recursive: true, force: true });
    expect(out).toMatch(/Gatehouse listening on http:\/\/localhost:\d+/);
    expect(out).toMatch(/"storage":"sqlite [^"]+gatehouse.sqlite"/);
    expect(out).toMatch(/no GATEHOUSE_SECRET_KEY: generated one/);
  });
});

describe('gatehouse keys', () => {
  it('rotates: the new key signs, the old one stays in the JWKS', async () => {
    const before = await gatehouse(['keys', 'list', '--data-dir', dataDir]);
    expect(before.code).toBe(0);
    const oldKids = (
      JSON.parse(before.stdout) as { keys: Array<{ kid: string; d?: string }> }
    ).keys.map((k) => k.kid);
    expect(oldKids).toHaveLength(1);
    const rotated = await gatehouse(['keys', 'rotate', '--data-dir', dataDir]);
    expect(rotated.code).toBe(0);
    const { signingKid, jwks } = JSON.parse(rotated.stdout) as {
      signingKid: string;
      jwks: string[];
    };
    expect(oldKids).not.toContain(signingKid);
    expect(jwks.sort()).toEqual([...oldKids, signingKid].sort());
    expect(before.stdout).not.toMatch(/"d":/);
  });
});

describe('gatehouse keys with GATEHOUSE_RSA_SIGNING_KEY', () => {
  const rsaDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-rsa-'));
  afterAll(() => rmSync(rsaDir, { recursive: true, force: true }));
  const env = { GATEHOUSE_RSA_SIGNING_KEY: 'true' };
  type Published = { kid: string; kty: string; alg: string; n?: string; e?: string };
  const list = async () => {
    const listed = await gatehouse(['keys', 'list', '--data-dir', rsaDir], { env });
    expect(listed.code).toBe(0);
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
      expect(listed.stdout).not.toMatch(new RegExp(`"${secret}":`));
    return (JSON.parse(listed.stdout) as { keys: Published[] }).keys;
  };

  it('lists an RSA key (n, e, no d) beside the primary; rotate makes a new key of each and keeps the old ones', async () => {
    const before = await list();
    expect(before.map((k) => k.alg).sort()).toEqual(['EdDSA', 'RS256']);
    const rsa = before.find((k) => k.alg === 'RS256');
    expect(rsa).toMatchObject({ kty: 'RSA', e: 'AQAB' });
    expect(typeof rsa?.n).toBe('string');

    const rotated = await gatehouse(['keys', 'rotate', '--data-dir', rsaDir], { env });
    expect(rotated.code).toBe(0);
    const { signingKid, signingKeys, jwks } = JSON.parse(rotated.stdout) as {
      signingKid: string;
      signingKeys: Array<{ kid: string; alg: string }>;
      jwks: string[];
    };
    expect(signingKeys.map((k) => k.alg)).toEqual(['EdDSA', 'RS256']);
    expect(signingKeys[0]?.kid).toBe(signingKid);
    const oldKids = before.map((k) => k.kid);
    for (const key of signingKeys) expect(oldKids).not.toContain(key.kid);
    expect(jwks.sort()).toEqual([...oldKids, ...signingKeys.map((k) => k.kid)].sort());

    const after = await list();
    expect(after.filter((k) => k.kty === 'RSA')).toHaveLength(2);
  });
});

describe('gatehouse oidc', () => {
  it('adds a provider with its secret from stdin, sealed at rest; lists it without the secret; removes it', async () => {
    const secret = 'a-client-secret-that-must-not-leak';
    const added = await gatehouse(
      [
        'oidc',
        'add',
        '--id',
        'acme',
        '--name',
        'Acme SSO',
        '--issuer',
        'https://sso.acme.example',
        '--client-id',
        'gatehouse',
        '--client-secret-stdin',
        '--authoritative-domain',
        'acme.example',
        '--allow-create',
        '--data-dir',
        dataDir,
      ],
      { stdin: `${secret}\n` },
    );
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      id: 'acme',
      hasClientSecret: true,
      allowCreate: true,
      authoritativeEmailDomains: ['acme.example'],
    });
    expect(added.stdout).not.toContain(secret);
    const listed = await gatehouse(['oidc', 'list', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((p) => p.id)).toContain('acme');
    expect(listed.stdout).not.toContain(secret);
    // The database and its write-ahead log hold the sealed box, never the secret.
    for (const file of readdirSync(dataDir).filter((f) => f.startsWith('gatehouse.sqlite')))
      expect(readFileSync(join(dataDir, file)).includes(Buffer.from(secret))).toBe(false);

    const removed = await gatehouse(['oidc', 'remove', '--id', 'acme', '--data-dir', dataDir]);
    expect(removed.code).toBe(0);
    const again = await gatehouse(['oidc', 'remove', '--id', 'acme', '--data-dir', dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not_found/);
  });

  it('refuses a plain-http issuer that is not loopback, and a provider without issuer or preset', async () => {
    const base = [
      'oidc',
      'add',
      '--id',
      'bad',
      '--name',
      'Bad',
      '--client-id',
      'x',
      '--data-dir',
      dataDir,
    ];
    const http = await gatehouse([...base, '--issuer', 'http://sso.example']);
    expect(http.code).toBe(1);
    expect(http.stderr).toMatch(/https only/);
    const neither = await gatehouse(base);
    expect(neither.code).toBe(1);
    expect(neither.stderr.trim().split('\n')).toHaveLength(1);
  });
});
