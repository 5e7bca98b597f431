import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../helpers/cli-server.js';
import { sparePort } from '../helpers/private-services.js';

/**
 * `gatehouse serve` with a dependency that is not there must not hang nor
 * spill stack traces: it exits non-zero at once with one line naming the setting.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The serve process, killed if it is still running after 10 s (that would be the hang). */
const serveWith = (env: Record<string, string>) =>
  runCli(['serve', '--port', '0', '--data-dir', dataDir], { NODE_ENV: 'test', ...env }, 10_000);

function expectOneLineNaming(result: CliRun, setting: string) {
  expect(result.killed).toBe(false);
  expect(result.code).not.toBe(0);
  const output = `${result.stdout}${result.stderr}`;
  const naming = output.split('\n').filter((line) => line.includes(setting));
  expect(naming).toHaveLength(1);
  expect(naming[0]).toMatch(new RegExp(`^gatehouse: cannot reach the \\w+ \\(${setting}\\)`));
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toContain('[ioredis]');
  expect(result.stdout).not.toContain('Gatehouse listening');
}

describe('start-up with an unreachable dependency', () => {
  it('REDIS_URL on a closed port: exits non-zero with one line naming REDIS_URL', async () => {
    const result = await serveWith({ REDIS_URL: `redis://127.0.0.1:${await sparePort()}` });
    expectOneLineNaming(result, 'REDIS_URL');
  });

  it('DATABASE_URL on a closed port: exits non-zero with one line naming DATABASE_URL, no password', async () => {
    const url = `postgres://gatehouse:s3cret-in-url@127.0.0.1:${await sparePort()}/gatehouse`;
    const result = await serveWith({ DATABASE_URL: url });
    expectOneLineNaming(result, 'DATABASE_URL');
    expect(result.stdout + result.stderr).not.toContain('s3cret-in-url');
  });
});
