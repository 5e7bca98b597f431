import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { exportUsers } from '../authn/user-import/export-users.js';
import { createCore } from '../core.js';
import { isAuthError } from '../errors.js';
import { createLogger } from '../logger.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';
import { usageError } from './usage-error.js';

async function openOutput(file: string): Promise<WriteStream> {
  const stream = createWriteStream(file, { mode: 0o600 });
  await once(stream, 'open');
  // `mode` applies only when the file is created: an existing file is narrowed too.
  await chmod(file, 0o600);
  return stream;
}

/** `gatehouse export users [--output FILE]`: Gatehouse JSONL, streamed, hashes included. */
export async function runExport(args: string[]): Promise<number> {
  try {
    return await exportCommand(args);
  } catch (error) {
    if (isAuthError(error) && error.code === 'invalid_request') {
      process.stderr.write(`gatehouse: ${error.code}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function exportCommand(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { ...commonOptions, output: { type: 'string' } },
    strict: true,
  });
  if (what !== 'users') throw usageError('export takes users');
  const core = await createCore(settingsFrom(values), { logger: createLogger('silent') });
  try {
    process.stderr.write(
      'gatehouse: warning: the export holds password hashes and TOTP secrets: keep it like a password\n',
    );
    const out: NodeJS.WritableStream = values.output
      ? await openOutput(values.output)
      : process.stdout;
    let count = 0;
    for await (const line of exportUsers(core)) {
      count += 1;
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
    }
    if (out !== process.stdout) {
      const finished = once(out, 'finish');
      out.end();
      await finished;
    }
    process.stderr.write(
      `gatehouse: exported ${count} users${values.output ? ` to ${values.output}` : ''}\n`,
    );
    return 0;
  } finally {
    await core.close();
  }
}
