import { readFile } from 'node:fs/promises';
import type { FirebaseHashConfig } from './import-formats/firebase.js';
import { usageError } from './usage-error.js';

/** The environment variable that may hold the project's base64 hash key instead of a file. */
export const HASH_KEY_ENV = 'GATEHOUSE_FIREBASE_HASH_KEY';

export interface FirebaseHashFlags {
  'hash-key-file'?: string | undefined;
  'salt-separator'?: string | undefined;
  rounds?: string | undefined;
  'mem-cost'?: string | undefined;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The signer key from `--hash-key-file` or GATEHOUSE_FIREBASE_HASH_KEY, exactly
 * one of them: an argument would show in `ps` and in shell history. No message
 * quotes the key, only where it came from.
 */
async function readHashKey(file: string | undefined, fromEnv: string | undefined): Promise<Buffer> {
  const sources = `--hash-key-file PATH or ${HASH_KEY_ENV}`;
  if (file === undefined && fromEnv === undefined)
    throw usageError(`--format firebase-scrypt needs the project's hash key: ${sources}`);
  if (file !== undefined && fromEnv !== undefined)
    throw usageError(`the hash key comes from one place: ${sources}, not both`);
  let text: string;
  if (file === undefined) text = fromEnv ?? '';
  else {
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw usageError(`cannot read the hash key file ${file} (${code})`);
    }
  }
  const key = text.trim();
  if (!BASE64.test(key))
    throw usageError(
      `the hash key in ${file ?? HASH_KEY_ENV} is not base64 (as the Firebase console shows it)`,
    );
  return Buffer.from(key, 'base64');
}

/** The project's hash parameters (Firebase console → Users → ⋮ → Password hash parameters). */
export async function firebaseHashConfig(
  flags: FirebaseHashFlags,
  env: NodeJS.ProcessEnv,
): Promise<FirebaseHashConfig> {
  const { 'salt-separator': separator, rounds, 'mem-cost': memCost } = flags;
  if (separator === undefined || rounds === undefined || memCost === undefined)
    throw usageError(
      "--format firebase-scrypt needs the project's --salt-separator, --rounds and --mem-cost",
    );
  if (!BASE64.test(separator))
    throw usageError('--salt-separator is base64 (as the Firebase console shows it)');
  const integer = (name: string, value: string, high: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > high)
      throw usageError(`--${name} must be 1 to ${high}`);
    return n;
  };
  return {
    saltSeparator: Buffer.from(separator, 'base64'),
    rounds: integer('rounds', rounds, 32),
    memCost: integer('mem-cost', memCost, 20),
    // An empty variable counts as unset, as a shell's `VAR= command` leaves it.
    signerKey: await readHashKey(flags['hash-key-file'], env[HASH_KEY_ENV] || undefined),
  };
}
