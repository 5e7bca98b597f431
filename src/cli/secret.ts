import { readFileSync } from 'node:fs';
import { rotateSecret } from '../authn/secret-rotation/rotate-secret.js';
import { decodeSecretKey } from '../config/secret-key.js';
import { explainStartupFailure } from '../config/unreachable.js';
import { AuthError, ConfigError } from '../errors.js';
import { openStore } from '../store/db.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';

const options = {
  ...commonOptions,
  'old-file': { type: 'string' },
  'old-stdin': { type: 'boolean' },
  'new-file': { type: 'string' },
  'new-stdin': { type: 'boolean' },
} as const;

type Values = { [K in 'old' | 'new' as `${K}-file`]?: string } & {
  [K in 'old' | 'new' as `${K}-stdin`]?: boolean;
};

/**
 * `gatehouse secret rotate`: re-seals everything sealed with the old server
 * secret under the new one. The secrets come from files or stdin, never from
 * arguments: arguments show in `ps` and in shell history.
 */
export async function runSecret(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'rotate') throw new AuthError('invalid_request', 'secret takes rotate');
  const { values } = parseArgs({ args: rest, options, strict: true });
  const stdinLines = values['old-stdin'] || values['new-stdin'] ? await readStdinLines() : [];
  const oldKey = readKey(values, 'old', stdinLines, 0);
  const newKey = readKey(values, 'new', stdinLines, values['old-stdin'] ? 1 : 0);
  const settings = settingsFrom(values);
  const store = openStore(settings);
  try {
    const { resealed, alreadyNew } = await rotateSecret(store.db, oldKey, newKey);
    process.stdout.write(`${JSON.stringify({ resealed, alreadyUnderNewSecret: alreadyNew })}\n`);
    return 0;
  } catch (error) {
    throw explainStartupFailure(error, settings);
  } finally {
    await store.close();
  }
}

/** `--old-file F` or `--old-stdin` (exactly one); from stdin, the `line`-th line. */
function readKey(values: Values, which: 'old' | 'new', stdin: string[], line: number): Buffer {
  const file = values[`${which}-file`];
  const fromStdin = values[`${which}-stdin`] === true;
  const flag = `--${which}-file or --${which}-stdin`;
  if ((file === undefined) === !fromStdin)
    throw new ConfigError(`--${which}`, `give exactly one of ${flag}`);
  const text = file === undefined ? (stdin[line] ?? '') : readFile(file, which);
  const key = decodeSecretKey(text);
  if (!key)
    throw new ConfigError(
      `--${which}`,
      `the ${which} secret must be 32 bytes (64 hex chars or base64url)${fromStdin ? ` on line ${line + 1} of stdin` : ` in ${file}`}`,
    );
  return key;
}

function readFile(path: string, which: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `--${which}-file`,
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n/)
    .filter((text) => text.trim() !== '');
}
