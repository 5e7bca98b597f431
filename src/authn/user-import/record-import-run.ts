import type { Core } from '../../core.js';
import { audit } from '../audit.js';
import { CLI_META } from '../meta.js';
import type { ImportCounts } from './import-users.js';

/**
 * One audit event for a finished import run (never a dry run), so who moved
 * users in, from which file and with what result is in the audit log beside
 * every other operator action. The file's base name only: a path may name a
 * person or a machine. No row contents, no hash. An import that stopped half
 * way records nothing; its re-run records its own event.
 */
export const recordImportRun = (
  core: Core,
  run: { format: string; file: string; counts: ImportCounts },
): Promise<void> =>
  audit(
    core,
    {
      type: 'users_imported',
      outcome: run.counts.failed > 0 ? 'failure' : 'success',
      userId: null,
      detail: { format: run.format, file: run.file, ...run.counts },
    },
    CLI_META,
  );
