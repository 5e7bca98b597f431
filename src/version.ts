import { readFileSync } from 'node:fs';

/** The root package.json: one folder above src/ and above dist/ alike. */
const PACKAGE_JSON = new URL('../package.json', import.meta.url);

/** Gatehouse's release, as the root package.json names it (for --version and /openapi.json). */
export function packageVersion(): string {
  const parsed: unknown = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
  const version = (parsed as { version?: unknown } | null)?.version;
  if (typeof version !== 'string') throw new TypeError(`${PACKAGE_JSON.pathname} has no version`);
  return version;
}
