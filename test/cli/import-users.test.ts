import { type ChildProcess, spawn } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBackends } from '../helpers/cli-backends.js';
import { type CliServer, cliBin, startCliServer } from '../helpers/cli-server.js';
import {
  type Fixture,
  type FixtureUser,
  firebaseSample,
  writeFixtures,
} from '../helpers/import-fixtures.js';
import { newMetricsToken, sample, scrape } from '../helpers/metrics.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const spawnCli = (args: string[], env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, [cliBin, ...args], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', ...env },
  });

/** `gatehouse <args>` as its own process, only `env` in its environment. */
function gatehouse(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.stdin?.end();
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Summary {
  read: number;
  imported: number;
  skipped: number;
  failed: number;
  dryRun: boolean;
}
const summaryOf = (run: Run): Summary => JSON.parse(run.stdout.trim()) as Summary;

const backends = cliBackends('import');

// Each test runs several CLI processes, each a fresh Node.js: minutes on a loaded machine, not a timing bound.
const slowIt = (name: string, test: () => Promise<void>) => it(name, test, 300_000);

const totpNow = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret) }).generate();

describe.each(backends)('gatehouse import users / export users on $name', (backend) => {
  let env: Record<string, string>;
  let tearDown: () => Promise<void>;
  let server: CliServer;
  const metricsToken = newMetricsToken();
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-import-files-'));
  beforeAll(async () => {
    ({ env, tearDown } = await backend.setUp());
    server = await startCliServer({ ...env, GATEHOUSE_METRICS_TOKEN: metricsToken });
  }, 120_000);
  afterAll(async () => {
    await server.stop();
    await tearDown();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  const tag = () => `im${randomBytes(4).toString('hex')}`;
  const post = async (url: string, path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const login = (email: string, password: string, url = server.url) =>
    post(url, '/auth/login', { email, password, refreshTokenDelivery: 'body' });
  /** Email → exported line, read with `gatehouse export users` (the stored hash, from the outside). */
  const exported = async (target = env) => {
    const run = await gatehouse(['export', 'users'], target);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return new Map(lines.map((line) => [String(line.email), line]));
  };
  const importFile = (fixture: Pick<Fixture, 'file' | 'format' | 'flags'>, target = env) =>
    gatehouse(
      ['import', 'users', fixture.file, '--format', fixture.format, ...fixture.flags],
      target,
    );

  /** The users_imported audit events of the files named `<tag>-…`, oldest first, as an admin reads them. */
  async function importEvents(accessToken: string, fileTag: string) {
    const response = await fetch(`${server.url}/admin/audit?type=users_imported&limit=500`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(response.status).toBe(200);
    const { events } = (await response.json()) as {
      events: { outcome: string; userId: string | null; detail: Record<string, unknown> }[];
    };
    return events
      .filter((event) => String(event.detail.file).startsWith(`${fileTag}-`))
      .map(({ outcome, userId, detail }) => ({ outcome, userId, detail }))
      .reverse();
  }

  /** A right password: signed in, or (TOTP users) the second step done with the app's code. */
  async function signIn(user: FixtureUser, url = server.url): Promise<string> {
    const first = await login(user.email, user.password, url);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    if (!user.totpSecret) return String(first.body.accessToken);
    expect(first.body).toMatchObject({ mfaRequired: true, methods: ['totp'] });
    const second = await post(url, '/auth/mfa/verify', {
      challenge: first.body.challenge,
      method: 'totp',
      code: totpNow(user.totpSecret),
      refreshTokenDelivery: 'body',
    });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    return String(second.body.accessToken);
  }

  slowIt(
    "every format's users sign in with their old password, upgraded to argon2id by the first sign-in only",
    async () => {
      const fixtures = await writeFixtures(work, tag());
      for (const fixture of fixtures) {
        const run = await importFile(fixture);
        expect(run.code, `${fixture.format}: ${run.stderr}`).toBe(0);
        expect(summaryOf(run)).toEqual({
          read: fixture.users.length,
          imported: fixture.users.length,
          skipped: 0,
          failed: 0,
          dryRun: false,
        });
        expect(run.stderr).toMatch(
          /import: \d+ read, \d+ imported, 0 skipped, 0 failed; \d+ rows\/s; 100%/,
        );
      }
      // In phases over all users, so each look at the stored hashes is one export.
      const users = fixtures.flatMap((f) => f.users);
      const before = await exported();
      for (const user of users) {
        const hash = String(before.get(user.email)?.passwordHash);
        expect(hash.startsWith(user.hashPrefix), `${user.email}: ${hash.slice(0, 24)}`).toBe(true);
        expect(before.get(user.email)?.roles).toEqual(user.roles ?? []);
        expect((await login(user.email, `${user.password}x`)).status).toBe(401);
      }
      const afterWrong = await exported();
      for (const user of users)
        expect(afterWrong.get(user.email)?.passwordHash).toBe(before.get(user.email)?.passwordHash);

      const tokens = new Map<string, string>();
      for (const user of users) tokens.set(user.email, await signIn(user));
      const upgraded = await exported();
      for (const user of users) {
        const hash = String(upgraded.get(user.email)?.passwordHash);
        expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'), user.email).toBe(true);
        expect((await login(user.email, user.password)).status).toBe(200);
        expect((await login(user.email, `${user.password}x`)).status).toBe(401);
        const me = await fetch(`${server.url}/auth/me`, {
          headers: { authorization: `Bearer ${tokens.get(user.email)}` },
        });
        const body = (await me.json()) as { user: { roles: string[] } };
        expect(body.user.roles).toEqual(user.roles ?? []);
      }
      const later = await exported();
      for (const user of users)
        expect(later.get(user.email)?.passwordHash).toBe(upgraded.get(user.email)?.passwordHash);
    },
  );

  slowIt(
    'a password NFKC changes signs in against the hash the old system made of it as typed, then as any Gatehouse password',
    async () => {
      const t = tag();
      // A ligature and a full-width letter: NFKC makes them "fi" and "P".
      const typed = '\uFB01nest \uFF30assphrase here';
      const normalized = typed.normalize('NFKC');
      expect(normalized).toBe('finest Passphrase here');
      const salt = randomBytes(16);
      const unpadded = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
      const imported = [
        { email: `${t}-bcrypt@example.com`, passwordHash: bcrypt.hashSync(typed, 4) },
        {
          email: `${t}-pbkdf2@example.com`,
          passwordHash: `$pbkdf2-sha256$i=1000$${unpadded(salt)}$${unpadded(
            pbkdf2Sync(typed, salt, 1000, 32, 'sha256'),
          )}`,
        },
      ];
      const file = join(work, `${t}-nfkc.jsonl`);
      writeFileSync(file, `${imported.map((r) => JSON.stringify(r)).join('\n')}\n`);
      expect((await importFile({ file, format: 'jsonl', flags: [] })).code).toBe(0);
      const own = `${t}-own@example.com`;
      const registered = await post(server.url, '/auth/register', { email: own, password: typed });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);

      /** How many hashes a login ran, each through a hash slot (the queue's wait histogram counts them). */
      const hashesRunBy = async (email: string, password: string, status: number) => {
        const count = async () =>
          sample(
            await scrape(server.url, metricsToken),
            'gatehouse_password_hash_wait_seconds_count',
          );
        const before = await count();
        expect((await login(email, password)).status).toBe(status);
        return (await count()) - before;
      };
      const wrong = `${typed}\uFB01`;
      // Gatehouse's own hash: a wrong password that NFKC changes is checked once, not twice.
      expect(await hashesRunBy(own, wrong, 401)).toBe(1);
      const before = await exported();
      for (const { email } of imported) {
        // Wrong: the normalized and the typed form, each in a slot; wrong ASCII, one check only.
        expect(await hashesRunBy(email, wrong, 401)).toBe(2);
        expect(await hashesRunBy(email, 'finest Passphrase herx', 401)).toBe(1);
        // The old system hashed what was typed, so the normalized spelling is not that password yet.
        expect((await login(email, normalized)).status).toBe(401);
      }
      const afterWrong = await exported();
      for (const { email, passwordHash } of imported) {
        expect(before.get(email)?.passwordHash).toBe(passwordHash);
        expect(afterWrong.get(email)?.passwordHash).toBe(passwordHash);
        expect((await login(email, typed)).status).toBe(200);
      }
      const upgraded = await exported();
      for (const { email } of imported) {
        const hash = String(upgraded.get(email)?.passwordHash);
        expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'), email).toBe(true);
        // argon2id of the normalized form: both spellings sign in, each with one check.
        expect(await hashesRunBy(email, typed, 200)).toBe(1);
        expect(await hashesRunBy(email, normalized, 200)).toBe(1);
        expect(await hashesRunBy(email, wrong, 401)).toBe(1);
      }
      expect((await exported()).get(imported[0]?.email ?? '')?.passwordHash).toBe(
        upgraded.get(imported[0]?.email ?? '')?.passwordHash,
      );
      expect((await login(own, typed)).status).toBe(200);
    },
  );

  slowIt(
    'a malformed or forged hash is a row error that never signs in; emails are checked as registration checks them',
    async () => {
      const t = tag();
      const good = bcrypt.hashSync('a good password here', 4);
      const forged = [
        '$2b$10$tooshort',
        `${good.slice(0, -1)}!`,
        `$2x$10$${good.slice(7)}`,
        '',
        'plaintext password',
        '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$',
        '$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g',
        '$scrypt$ln=10,r=8,p=1$c2FsdA$AAAA',
        '$scrypt$ln=30,r=8,p=1$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        '$pbkdf2-sha256$i=0$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        '$pbkdf2-sha256$i=1000$$',
        '$pbkdf2-md5$i=1000$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        '$firebase-scrypt$ln=14,r=8$AAAA$Bw$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      ];
      const badEmails = [
        'not-an-email',
        'two@@example.com',
        'spaces in@example.com',
        'a@b',
        `${'x'.repeat(250)}@example.com`,
      ];
      const rows = [
        ...forged.map((passwordHash, i) => ({
          email: `${t}-forged${i}@example.com`,
          passwordHash,
        })),
        ...badEmails.map((email) => ({ email, passwordHash: good })),
        { email: `${t}-nopassword@example.com`, passwordHash: null },
        { email: `${t}-ok@example.com`, passwordHash: good },
      ];
      const file = join(work, `${t}-attack.jsonl`);
      writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
      const run = await importFile({ file, format: 'jsonl', flags: [] });
      expect(run.code).toBe(1);
      expect(summaryOf(run)).toMatchObject({
        read: rows.length,
        imported: 2,
        failed: forged.length + badEmails.length,
      });
      for (let i = 0; i < forged.length; i += 1)
        expect(run.stderr).toContain(`line ${i + 1}: unsupported_hash:`);
      for (let i = 0; i < badEmails.length; i += 1)
        expect(run.stderr).toContain(`line ${forged.length + i + 1}: invalid_email:`);
      // The report never quotes a hash.
      for (const hash of [...forged.filter((h) => h.length > 8), good])
        expect(run.stderr).not.toContain(hash);

      const exports = await exported();
      for (let i = 0; i < forged.length; i += 1) {
        const email = `${t}-forged${i}@example.com`;
        expect(exports.has(email)).toBe(false);
        for (const password of ['a good password here', 'password', forged[i] || 'x'])
          expect((await login(email, password)).status).toBe(401);
      }
      // Registration refuses the same addresses (400), so import lets in nothing sign-up would not.
      for (const email of badEmails)
        expect(
          (await post(server.url, '/auth/register', { email, password: 'a long enough password' }))
            .status,
        ).toBe(400);
      const noPassword = `${t}-nopassword@example.com`;
      expect(exports.get(noPassword)?.passwordHash).toBeNull();
      for (const password of ['a good password here', ' ', 'null'])
        expect((await login(noPassword, password)).status).toBe(401);
      expect((await login(`${t}-ok@example.com`, 'a good password here')).status).toBe(200);
    },
  );

  slowIt(
    '--dry-run writes nothing; a re-run skips who is there and imports the rest; a killed import re-run finishes',
    async () => {
      const t = tag();
      const hash = bcrypt.hashSync('shared password here', 4);
      const line = (i: number) =>
        JSON.stringify({ email: `${t}-${i}@example.com`, passwordHash: hash, roles: ['admin'] });
      const total = 3000;
      const all = join(work, `${t}-all.jsonl`);
      const firstPart = join(work, `${t}-first.jsonl`);
      writeFileSync(all, `${Array.from({ length: total }, (_, i) => line(i)).join('\n')}\n`);
      writeFileSync(firstPart, `${Array.from({ length: 1000 }, (_, i) => line(i)).join('\n')}\n`);
      const mine = async () => [...(await exported()).keys()].filter((e) => e.startsWith(`${t}-`));

      const dry = await gatehouse(['import', 'users', all, '--format', 'jsonl', '--dry-run'], env);
      expect(dry.code, dry.stderr).toBe(0);
      expect(summaryOf(dry)).toEqual({
        read: total,
        imported: total,
        skipped: 0,
        failed: 0,
        dryRun: true,
      });
      expect(await mine()).toEqual([]);

      const first = await gatehouse(['import', 'users', firstPart, '--format', 'jsonl'], env);
      expect(summaryOf(first)).toMatchObject({ imported: 1000, skipped: 0, failed: 0 });
      const rest = await gatehouse(['import', 'users', all, '--format', 'jsonl'], env);
      expect(rest.code, rest.stderr).toBe(0);
      expect(summaryOf(rest)).toEqual({
        read: total,
        imported: 2000,
        skipped: 1000,
        failed: 0,
        dryRun: false,
      });
      expect(rest.stderr).toContain('line 1000: skipped: a user with this email exists');
      // The first batch's progress line: read so far, rate, share of the file and the time left.
      expect(rest.stderr).toMatch(
        /import: 1000 read, 0 imported, 1000 skipped, 0 failed; \d+ rows\/s; \d+%, ETA \d+(m\d\d)?s/,
      );
      expect(rest.stderr).not.toContain('line 1001: skipped');
      expect((await mine()).length).toBe(total);
      // One audit event per real run, none for the dry run (same file as `rest`): counts and the file's name.
      const admin = String(
        (await login(`${t}-0@example.com`, 'shared password here')).body.accessToken,
      );
      expect(await importEvents(admin, t)).toEqual([
        {
          outcome: 'success',
          userId: null,
          detail: {
            format: 'jsonl',
            file: `${t}-first.jsonl`,
            read: 1000,
            imported: 1000,
            skipped: 0,
            failed: 0,
          },
        },
        {
          outcome: 'success',
          userId: null,
          detail: {
            format: 'jsonl',
            file: `${t}-all.jsonl`,
            read: total,
            imported: 2000,
            skipped: 1000,
            failed: 0,
          },
        },
      ]);

      // Killed after its first committed batch (the first progress line), then run again.
      const big = 20_000;
      const killed = join(work, `${t}-killed.jsonl`);
      const kline = (i: number) =>
        JSON.stringify({ email: `${t}-k${i}@example.com`, passwordHash: hash });
      writeFileSync(killed, `${Array.from({ length: big }, (_, i) => kline(i)).join('\n')}\n`);
      const child = spawnCli(
        ['import', 'users', killed, '--format', 'jsonl', '--batch-size', '200'],
        env,
      );
      await new Promise<void>((resolve) => {
        let stderr = '';
        child.stderr?.on('data', (d) => {
          stderr += d;
          if (stderr.includes('import: ')) {
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.on('close', () => resolve());
      });
      await new Promise((resolve) =>
        child.exitCode !== null || child.signalCode !== null
          ? resolve(null)
          : child.on('close', resolve),
      );
      const again = await gatehouse(['import', 'users', killed, '--format', 'jsonl'], env);
      expect(again.code, again.stderr).toBe(0);
      const counts = summaryOf(again);
      expect(counts.failed).toBe(0);
      expect(counts.skipped).toBeGreaterThanOrEqual(200);
      expect(counts.imported + counts.skipped).toBe(big);
      expect((await mine()).filter((e) => e.startsWith(`${t}-k`)).length).toBe(big);
      // The killed run recorded nothing; the run that finished it, its own counts.
      const finishing = (await importEvents(admin, t)).filter(
        (event) => event.detail.file === `${t}-killed.jsonl`,
      );
      expect(finishing).toEqual([
        {
          outcome: 'success',
          userId: null,
          detail: {
            format: 'jsonl',
            file: `${t}-killed.jsonl`,
            read: big,
            imported: counts.imported,
            skipped: counts.skipped,
            failed: 0,
          },
        },
      ]);
    },
  );

  slowIt(
    'usage and file mistakes exit 2 and import nothing; failed rows exit 1 and name the line',
    async () => {
      const t = tag();
      const csv = join(work, `${t}.csv`);
      writeFileSync(csv, `email,password,roles\n${t}-a@example.com,secret,admin\n`);
      const jsonl = join(work, `${t}.jsonl`);
      writeFileSync(
        jsonl,
        `${JSON.stringify({ email: `${t}-b@example.com`, roles: ['admn'] })}\n${JSON.stringify({ email: `${t}-c@example.com`, emailVerifed: true })}\n${JSON.stringify({ email: `${t}-d@example.com` })}\n`,
      );
      const cases: Array<[string[], RegExp]> = [
        [['import', 'users', jsonl, '--format', 'ldif'], /--format is one of jsonl, csv/],
        [
          ['import', 'users', join(work, 'missing.jsonl'), '--format', 'jsonl'],
          /cannot read the file/,
        ],
        [['import', 'users', '--format', 'jsonl'], /takes one FILE/],
        [
          ['import', 'users', jsonl, '--format', 'firebase-scrypt'],
          /--salt-separator, --rounds and --mem-cost/,
        ],
        [['import', 'users', csv, '--format', 'csv'], /unknown CSV column password/],
        [['import', 'users', jsonl, '--format', 'keycloak'], /not a JSON document/],
        [['import', 'groups', jsonl, '--format', 'jsonl'], /import takes users/],
      ];
      for (const [args, message] of cases) {
        const run = await gatehouse(args, env);
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
        expect(run.stderr).toMatch(message);
      }
      expect([...(await exported()).keys()].filter((e) => e.startsWith(`${t}-`))).toEqual([]);

      const run = await gatehouse(['import', 'users', jsonl, '--format', 'jsonl'], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('line 1: unknown_role: the policy defines no role "admn"');
      expect(run.stderr).toContain('line 2: invalid_row: unknown field emailVerifed');
      expect(summaryOf(run)).toMatchObject({ imported: 1, failed: 2 });
    },
  );

  slowIt(
    "Firebase's hash key comes from --hash-key-file or GATEHOUSE_FIREBASE_HASH_KEY, exactly one, never an argument",
    async () => {
      const fixture = (await writeFixtures(work, tag())).find(
        (f) => f.format === 'firebase-scrypt',
      ) as Fixture;
      const at = fixture.flags.indexOf('--hash-key-file');
      const withoutKey = fixture.flags.filter((_, i) => i !== at && i !== at + 1);
      const args = (flags: string[]) => [
        'import',
        'users',
        fixture.file,
        '--format',
        'firebase-scrypt',
        ...flags,
      ];
      const key = firebaseSample.signerKey;
      const withEnv = { ...env, GATEHOUSE_FIREBASE_HASH_KEY: key };
      const unreadable = join(work, `${tag()}-no-such-key`);
      const notBase64 = join(work, `${tag()}-bad-key`);
      writeFileSync(notBase64, `${key.slice(0, 20)}!${key.slice(20)}\n`);
      const cases: Array<[string[], Record<string, string>, RegExp]> = [
        [
          withoutKey,
          env,
          /needs the project's hash key: --hash-key-file PATH or GATEHOUSE_FIREBASE_HASH_KEY$/,
        ],
        [fixture.flags, withEnv, /--hash-key-file PATH or GATEHOUSE_FIREBASE_HASH_KEY, not both$/],
        [
          [...withoutKey, '--hash-key-file', unreadable],
          env,
          new RegExp(`cannot read the hash key file ${unreadable} \\(ENOENT\\)$`),
        ],
        [[...withoutKey, '--hash-key-file', notBase64], env, /in .*-bad-key is not base64/],
        [
          withoutKey,
          { ...env, GATEHOUSE_FIREBASE_HASH_KEY: '%%' },
          /in GATEHOUSE_FIREBASE_HASH_KEY is not base64/,
        ],
        [[...withoutKey, '--hash-key', key], env, /--hash-key/],
      ];
      for (const [flags, environment, message] of cases) {
        const run = await gatehouse(args(flags), environment);
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr.trim()).toMatch(message);
        expect(run.stderr).not.toContain(key.slice(0, 20));
        if (flags.includes('--hash-key')) continue;
        // One line, naming where the key came from.
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
      }
      const [user] = fixture.users as [FixtureUser];
      expect((await exported()).has(user.email)).toBe(false);

      // From the environment: the users land and sign in with their Firebase password.
      const run = await gatehouse(args(withoutKey), withEnv);
      expect(run.code, run.stderr).toBe(0);
      expect(summaryOf(run)).toMatchObject({ imported: 1, failed: 0 });
      expect((await login(user.email, user.password)).status).toBe(200);
    },
  );

  slowIt(
    'CSV, an Auth0 array and a Keycloak realm: a bad record is its own error, the others land',
    async () => {
      const t = tag();
      const hash = bcrypt.hashSync('format rows password', 4);
      const csv = join(work, `${t}-rows.csv`);
      writeFileSync(
        csv,
        `email,email_verified,roles,password_hash\n${t}-c1@example.com,yes,admin,${hash}\n${t}-c2@example.com,maybe,,\n${t}-c3@example.com,true,a"b,\n${t}-c4@example.com,no,,${hash}\n`,
      );
      const csvRun = await importFile({ file: csv, format: 'csv', flags: [] });
      expect(csvRun.code).toBe(1);
      expect(summaryOf(csvRun)).toMatchObject({ imported: 2, failed: 2 });
      expect(csvRun.stderr).toContain('line 3: invalid_row: email_verified is not true or false');
      expect(csvRun.stderr).toContain('line 4: invalid_row: not a readable CSV record');

      const auth0 = join(work, `${t}-auth0.json`);
      writeFileSync(
        auth0,
        JSON.stringify([
          {
            _id: { $oid: '1' },
            email: `${t}-a1@example.com`,
            email_verified: true,
            passwordHash: hash,
          },
          { _id: { $oid: '2' }, email: `${t}-a2@example.com`, passwordHash: 'md5:abcdef' },
          'not a user',
        ]),
      );
      const auth0Run = await importFile({ file: auth0, format: 'auth0', flags: [] });
      expect(auth0Run.code).toBe(1);
      expect(summaryOf(auth0Run)).toMatchObject({ imported: 1, failed: 2 });
      expect(auth0Run.stderr).toContain('users[1]: unsupported_hash:');
      expect(auth0Run.stderr).toContain('users[2]: invalid_row:');
      expect(auth0Run.stderr).not.toContain('md5:abcdef');

      const realm = join(work, `${t}-realm.json`);
      const otp = (subType: string) => ({
        type: 'otp',
        secretData: JSON.stringify({ value: 'kcsecretkcsecretkcse' }),
        credentialData: JSON.stringify({ subType, digits: 6, period: 30, algorithm: 'HmacSHA1' }),
      });
      const password = (algorithm: string) => ({
        type: 'password',
        secretData: JSON.stringify({ value: 'AAAAAAAAAAAAAAAAAAAAAA==', salt: 'c2FsdA==' }),
        credentialData: JSON.stringify({ hashIterations: 1000, algorithm }),
      });
      writeFileSync(
        realm,
        JSON.stringify({
          users: [
            { email: `${t}-k1@example.com`, credentials: [otp('hotp')] },
            { email: `${t}-k2@example.com`, credentials: [password('bcrypt-custom')] },
            { email: `${t}-k3@example.com`, realmRoles: ['no-such-role'] },
            { email: `${t}-k4@example.com`, enabled: false, realmRoles: ['offline_access'] },
          ],
        }),
      );
      const kcRun = await importFile({ file: realm, format: 'keycloak', flags: [] });
      expect(kcRun.code).toBe(1);
      expect(summaryOf(kcRun)).toMatchObject({ imported: 1, failed: 3 });
      expect(kcRun.stderr).toContain('users[0]: invalid_totp: only time-based (TOTP)');
      expect(kcRun.stderr).toContain('users[1]: unsupported_hash:');
      expect(kcRun.stderr).toContain('users[2]: unknown_role:');

      const users = await exported();
      expect([...users.keys()].filter((e) => e.startsWith(`${t}-`)).sort()).toEqual(
        [`${t}-a1`, `${t}-c1`, `${t}-c4`, `${t}-k4`].map((name) => `${name}@example.com`),
      );
      expect(users.get(`${t}-c1@example.com`)).toMatchObject({
        emailVerified: true,
        roles: ['admin'],
      });
      expect(users.get(`${t}-c4@example.com`)).toMatchObject({ emailVerified: false, roles: [] });
      expect(users.get(`${t}-k4@example.com`)).toMatchObject({ banned: true, roles: [] });
      expect((await login(`${t}-a1@example.com`, 'format rows password')).status).toBe(200);
    },
  );

  slowIt(
    'export → import into a fresh database round-trips: same lines, the file mode 0600, TOTP re-sealed under the new key',
    async () => {
      const fixtures = await writeFixtures(work, tag());
      const jsonl = fixtures.find((f) => f.format === 'jsonl') as Fixture;
      const keycloak = fixtures.find((f) => f.format === 'keycloak') as Fixture;
      for (const fixture of [jsonl, keycloak]) expect((await importFile(fixture)).code).toBe(0);
      const banned = `${tag()}-banned@example.com`;
      const bannedFile = join(work, `${banned}.jsonl`);
      const bannedHash = bcrypt.hashSync('banned user password', 4);
      writeFileSync(
        bannedFile,
        `${JSON.stringify({ email: banned, passwordHash: bannedHash, banned: true, bannedReason: 'spam', attributes: { plan: 'pro' } })}\n`,
      );
      expect((await importFile({ file: bannedFile, format: 'jsonl', flags: [] })).code).toBe(0);

      const file = join(work, `${tag()}-export.jsonl`);
      const run = await gatehouse(['export', 'users', '--output', file], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/warning: the export holds password hashes and TOTP secrets/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const source = readFileSync(file, 'utf8');
      expect(source).not.toContain('"secretSealed"');
      expect(source).toContain('"bannedReason":"spam"');

      const target = await backend.setUp();
      try {
        const imported = await importFile({ file, format: 'jsonl', flags: [] }, target.env);
        expect(imported.code, imported.stderr).toBe(0);
        const lines = source.trim().split('\n');
        expect(summaryOf(imported)).toMatchObject({ imported: lines.length, failed: 0 });
        const again = await gatehouse(['export', 'users'], target.env);
        expect(again.stdout.trim().split('\n')).toEqual(lines);

        const copy = await startCliServer(target.env);
        try {
          const totpUser = [...jsonl.users, ...keycloak.users].filter((u) => u.totpSecret);
          expect(totpUser.length).toBe(2);
          for (const user of totpUser) await signIn(user, copy.url);
          const refused = await login(banned, 'banned user password', copy.url);
          expect(refused).toMatchObject({ status: 403, body: { code: 'account_banned' } });
        } finally {
          await copy.stop();
        }
      } finally {
        await target.tearDown();
      }
    },
  );
});
