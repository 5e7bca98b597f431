import { basename } from 'node:path';
import { importUsers } from '../authn/user-import/import-users.js';
import { recordImportRun } from '../authn/user-import/record-import-run.js';
import { createCore } from '../core.js';
import { isAuthError } from '../errors.js';
import { createLogger } from '../logger.js';
import { type FirebaseHashFlags, firebaseHashConfig } from './firebase-hash-config.js';
import { auth0Source } from './import-formats/auth0.js';
import { csvSource } from './import-formats/csv.js';
import { firebaseSource } from './import-formats/firebase.js';
import { gatehouseSource } from './import-formats/gatehouse.js';
import { keycloakSource } from './import-formats/keycloak.js';
import type { UserSource } from './import-formats/source.js';
import { print } from './output.js';
import { progressLine } from './progress.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';
import { usageError } from './usage-error.js';

const FORMATS = ['jsonl', 'csv', 'auth0', 'firebase-scrypt', 'keycloak'] as const;
type Format = (typeof FORMATS)[number];
const isFormat = (value: string | undefined): value is Format =>
  (FORMATS as readonly (string | undefined)[]).includes(value);

/** Users per transaction: large enough for multi-row inserts to pay, small enough that a crash loses little. */
const DEFAULT_BATCH = 1000;

async function openSource(
  format: Format,
  file: string,
  flags: FirebaseHashFlags,
): Promise<UserSource> {
  switch (format) {
    case 'jsonl':
      return gatehouseSource(file);
    case 'csv':
      return csvSource(file);
    case 'auth0':
      return auth0Source(file);
    case 'firebase-scrypt':
      return firebaseSource(file, await firebaseHashConfig(flags, process.env));
    case 'keycloak':
      return keycloakSource(file);
  }
}

/** `gatehouse import users FILE --format F`; exit 0 when every row was imported or skipped, 1 when any failed, 2 for a usage or file mistake. */
export async function runImport(args: string[]): Promise<number> {
  try {
    return await importCommand(args);
  } catch (error) {
    if (isAuthError(error) && error.code === 'invalid_request') {
      process.stderr.write(`gatehouse: ${error.code}: ${error.message}\n`);
      return 2;
    }
    if (
      error instanceof Error &&
      'code' in error &&
      (error.code === 'ENOENT' || error.code === 'EACCES' || error.code === 'EISDIR')
    ) {
      process.stderr.write(`gatehouse: invalid_request: cannot read the file (${error.code})\n`);
      return 2;
    }
    throw error;
  }
}

async function importCommand(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      ...commonOptions,
      format: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'batch-size': { type: 'string' },
      'hash-key-file': { type: 'string' },
      'salt-separator': { type: 'string' },
      rounds: { type: 'string' },
      'mem-cost': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (what !== 'users') throw usageError('import takes users');
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw usageError('import users takes one FILE');
  if (!isFormat(values.format)) throw usageError(`--format is one of ${FORMATS.join(', ')}`);
  const batchSize = Number(values['batch-size'] ?? DEFAULT_BATCH);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw usageError('--batch-size must be 1 to 10000');
  const source = await openSource(values.format, file, values);
  const core = await createCore(settingsFrom(values), { logger: createLogger('silent') });
  try {
    const dryRun = values['dry-run'] ?? false;
    const progress = progressLine(source.fractionRead);
    const counts = await importUsers(
      core,
      source.records,
      { dryRun, batchSize },
      {
        rowFailed: (at, error) => progress.note(`${at}: ${error.code}: ${error.reason}`),
        rowSkipped: (at) => progress.note(`${at}: skipped: a user with this email exists`),
        progress: (counts) => progress.update(counts),
      },
    );
    progress.finish(counts);
    if (!dryRun)
      await recordImportRun(core, { format: values.format, file: basename(file), counts });
    print({ ...counts, dryRun });
    return counts.failed > 0 ? 1 : 0;
  } finally {
    await core.close();
  }
}
