import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../helpers/cli-server.js';
import { sparePort } from '../helpers/private-services.js';

/**
 * `gatehouse serve` (and `migrate`) with a dependency that is not there must
 * not hang nor spill stack traces: exit 2 with one line naming the setting,
 * its URL without credentials, and why. Closed ports are private spare ports;
 * the shared services are never touched.
 */
const root = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
let runs = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The process, killed if it is still running after 20 s (that would be the hang). */
const gatehouse = (command: string, env: Record<string, string>) =>
  runCli(
    [
      command,
      '--data-dir',
      join(root, `data-${++runs}`),
      ...(command === 'serve' ? ['--port', '0'] : []),
    ],
    { NODE_ENV: 'test', ...env },
    20_000,
  );

function expectOneLine(result: CliRun, line: RegExp) {
  expect(result.killed).toBe(false);
  expect(result.code).toBe(2);
  expect(result.stdout).not.toContain('Gatehouse listening');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at |\[ioredis\]|s3cret-in-url/m);
}

/** A TCP port that accepts connections and never answers: the hang a connect timeout alone misses. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('start-up with an unreachable dependency', () => {
  it('REDIS_URL on a closed port: serve exits 2, naming REDIS_URL without its password', async () => {
    const port = await sparePort();
    const result = await gatehouse('serve', {
      REDIS_URL: `redis://:s3cret-in-url@127.0.0.1:${port}`,
    });
    expectOneLine(
      result,
      new RegExp(
        `^gatehouse: cannot reach REDIS_URL \\(redis://…@127\\.0\\.0\\.1:${port}\\): connection refused$`,
      ),
    );
  });

  it('REDIS_URL that accepts and never answers: serve exits 2 within its timeouts, no hang', async () => {
    const silent = await silentServer();
    try {
      const result = await gatehouse('serve', { REDIS_URL: `redis://127.0.0.1:${silent.port}` });
      expectOneLine(
        result,
        new RegExp(
          `^gatehouse: cannot reach REDIS_URL \\(redis://127\\.0\\.0\\.1:${silent.port}\\): `,
        ),
      );
    } finally {
      await silent.close();
    }
  });

  /** A closed private port in a URL with a password in its user info and in its query. */
  async function closedDatabase() {
    const port = await sparePort();
    return {
      url: `postgres://gatehouse:s3cret-in-url@127.0.0.1:${port}/gatehouse?password=s3cret-in-url`,
      line: new RegExp(
        `^gatehouse: cannot reach DATABASE_URL \\(postgres://…@127\\.0\\.0\\.1:${port}\\): connection refused$`,
      ),
    };
  }

  it('DATABASE_URL on a closed port: serve exits 2, naming it without password or database', async () => {
    const { url, line } = await closedDatabase();
    expectOneLine(await gatehouse('serve', { DATABASE_URL: url }), line);
  });

  it('DATABASE_URL on a closed port: migrate exits 2 with the same line', async () => {
    const { url, line } = await closedDatabase();
    expectOneLine(await gatehouse('migrate', { DATABASE_URL: url }), line);
  });
});
