import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Settings } from './schema.js';

const problems: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file, not a directory',
  ENOSPC: 'no space left on the device',
};

/** Whether anything lands in the data dir: SQLite, a generated secret key, the mail or SMS outbox. */
export const usesDataDir = (settings: Settings): boolean =>
  settings.databaseUrl === undefined ||
  settings.secretKey === undefined ||
  settings.smtpUrl === undefined ||
  settings.sms.url === undefined;

/**
 * Creates the data dir and proves it writable with a probe file, so a bad
 * directory is one clear line at start-up rather than a failure at the first
 * mail or login. (Permission bits alone do not tell: root ignores them.)
 */
export function checkDataDir(settings: Settings): void {
  if (!usesDataDir(settings)) return;
  const dir = settings.dataDir;
  const probe = join(dir, `.write-check-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigError(
      'dataDir',
      `cannot write to ${dir}: ${problems[code] ?? code} (GATEHOUSE_DATA_DIR or --data-dir)`,
    );
  }
}
