import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../helpers/cli-server.js';

/**
 * `gatehouse serve` and `gatehouse migrate` as processes, started wrong: one
 * line on stderr naming the setting and what is wrong with its value, exit 2,
 * nothing on stdout, no stack trace. (Every schema setting's line is in
 * setting-errors.test.ts; unreachable services are in test/faults/startup-unreachable.test.ts.)
 */
const root = mkdtempSync(join(tmpdir(), 'gatehouse-startup-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** A fresh data dir per run: no test sees another's files. */
const freshDir = () => {
  const dir = join(root, `data-${++count}`);
  mkdirSync(dir);
  return dir;
};

const run = (args: string[], env: Record<string, string>) =>
  runCli(args, { NODE_ENV: 'test', GATEHOUSE_DATA_DIR: freshDir(), ...env }, 20_000);

function expectOneLine(result: CliRun, line: RegExp) {
  // The output goes with each failure: an exit code alone does not say what went wrong.
  const output = `stdout: ${result.stdout}\nstderr: ${result.stderr}`;
  expect(result.killed, output).toBe(false);
  expect(result.code, output).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(line);
}

describe('gatehouse serve stops with one line and exit 2', () => {
  it('a bad value from the environment names the setting, the variable and the value', async () => {
    const result = await run(['serve'], { PORT: '70000' });
    expectOneLine(
      result,
      /^gatehouse: invalid setting port: Too big: expected number to be <=65535 \(PORT="70000"\)$/,
    );
  });

  it('a bad value from a flag names the flag', async () => {
    const result = await run(['serve', '--port', 'eighty'], {});
    expectOneLine(result, /^gatehouse: invalid setting port: .* \(--port "eighty"\)$/);
  });

  it('a public URL without a scheme', async () => {
    const result = await run(['serve'], { GATEHOUSE_PUBLIC_URL: 'auth.example.com' });
    expectOneLine(
      result,
      /^gatehouse: invalid setting publicUrl: must be an http\(s\) URL with its scheme, e\.g\. https:\/\/auth\.example\.com \(GATEHOUSE_PUBLIC_URL="auth\.example\.com"\)$/,
    );
  });

  it('a secret key that is not 32 bytes, without echoing it', async () => {
    const result = await run(['serve'], { GATEHOUSE_SECRET_KEY: 'hunter2-too-short' });
    expectOneLine(
      result,
      /^gatehouse: invalid setting secretKey: GATEHOUSE_SECRET_KEY must be 32 bytes/,
    );
    expect(result.stderr).not.toContain('hunter2');
  });

  it('a metrics port off loopback without a metrics token', async () => {
    const result = await run(['serve', '--port', '0'], {
      GATEHOUSE_METRICS_PORT: '0',
      GATEHOUSE_METRICS_HOST: '0.0.0.0',
    });
    expectOneLine(
      result,
      /^gatehouse: invalid setting metrics\.host: metrics\.port on 0\.0\.0\.0 \(not loopback\) needs metrics\.token \(GATEHOUSE_METRICS_TOKEN\)/,
    );
  });

  it('a missing policy file', async () => {
    const missing = join(root, 'no-such-policy.yaml');
    const result = await run(['serve'], { GATEHOUSE_POLICY: missing });
    expectOneLine(
      result,
      new RegExp(
        `^gatehouse: invalid setting policyFile: cannot read ${missing}: no such file \\(GATEHOUSE_POLICY\\)$`,
      ),
    );
  });

  it('a policy file that does not parse: its file and line, on one line', async () => {
    const policy = join(root, 'broken-policy.yaml');
    writeFileSync(policy, 'roles: [\n  - admin\n');
    const result = await run(['serve'], { GATEHOUSE_POLICY: policy });
    expectOneLine(result, new RegExp(`^gatehouse: invalid setting policyFile: ${policy}:\\d+: `));
  });

  it('a data dir that cannot be written (a path through a file)', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const result = await run(['serve'], { GATEHOUSE_DATA_DIR: join(file, 'data') });
    expectOneLine(
      result,
      /^gatehouse: invalid setting dataDir: cannot write to \S+a-file\/data: a part of the path is a file, not a directory/,
    );
  });

  it('a config file that is missing', async () => {
    const missing = await run(['serve', '--config', join(root, 'none.json')], {});
    expectOneLine(
      missing,
      /^gatehouse: invalid setting config: cannot read \S+none\.json: no such file \(--config\)$/,
    );
  });

  it('a config file that is not JSON, without quoting it', async () => {
    const notJson = join(root, 'not.json');
    writeFileSync(notJson, '{"secretKey": "hunter2",');
    const broken = await run(['serve'], { GATEHOUSE_CONFIG: notJson });
    expectOneLine(
      broken,
      /^gatehouse: invalid setting config: \S+not\.json is not valid JSON \(GATEHOUSE_CONFIG\)$/,
    );
  });

  it('a config file with an unknown key', async () => {
    const unknown = join(root, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ session: { idleTimeout: 60 } }));
    const typo = await run(['serve', '--config', unknown], {});
    expectOneLine(
      typo,
      /^gatehouse: invalid setting session\.idleTimeout: not a setting \(in \S+unknown\.json\)$/,
    );
  });
});

describe('gatehouse migrate stops the same way', () => {
  it('a DATABASE_URL that is not PostgreSQL, without echoing its password', async () => {
    const result = await run(['migrate'], { DATABASE_URL: 'mysql://app:hunter2@db/app' });
    expectOneLine(
      result,
      /^gatehouse: invalid setting databaseUrl: must be a postgres:\/\/ URL \(DATABASE_URL\)$/,
    );
    expect(result.stderr).not.toContain('hunter2');
  });
});
