import { readFileSync } from 'node:fs';

/** The package's version, from its package.json (two levels up from src/cli and from dist/cli alike). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}
