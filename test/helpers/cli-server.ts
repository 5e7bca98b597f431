import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI (run `npm run build` first, as `npm test` does). */
export const cliBin = join(import.meta.dirname, '../../dist/cli/main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when it was still running after `killAfterMs` and was killed. */
  killed: boolean;
}

/** Runs `gatehouse <args>` as its own process with only the given environment, until it exits. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  killAfterMs = 30_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      env: { PATH: process.env.PATH, ...env },
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

export interface CliServer {
  url: string;
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines written so far. */
  logLines(): Array<Record<string, unknown>>;
  /** False once the process has exited, for whatever reason. */
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * `gatehouse serve --port 0` as a real process, as an operator runs it: resolves
 * once it logs where it listens; rejects with its output if it exits first.
 */
export function startCliServer(
  env: Record<string, string>,
  args: string[] = [],
): Promise<CliServer> {
  const child = spawn(process.execPath, [cliBin, 'serve', '--port', '0', ...args], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', ...env },
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const logLines = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return new Promise((resolve, reject) => {
    let listened = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      // Once it listens, stop re-parsing everything on each chunk: a long run logs a lot.
      if (listened) return;
      const listening = logLines().find((l) => typeof l.url === 'string');
      if (!listening) return;
      listened = true;
      resolve({
        url: String(listening.url).replace('localhost', '127.0.0.1'),
        child,
        stdout: () => stdout,
        stderr: () => stderr,
        logLines,
        alive: () => !exited,
        async stop() {
          if (!exited) child.kill('SIGTERM');
          await exit;
        },
      });
    });
    void exit.then(() => reject(new Error(`gatehouse serve exited early:\n${stdout}\n${stderr}`)));
  });
}
