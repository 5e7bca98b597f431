import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** The setting a config-file problem is reported under: the flag or variable that named the file. */
export const CONFIG_FILE_SETTING = 'config';

const readProblems: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

/**
 * The config file's settings: a JSON object. The parser's own message is not
 * shown: it quotes the text around the fault, and the file may hold secrets.
 */
export function readConfigFile(path: string, source: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new ConfigError(
      CONFIG_FILE_SETTING,
      `cannot read ${path}: ${readProblems[code] ?? code} (${source})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(CONFIG_FILE_SETTING, `${path} is not valid JSON (${source})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(CONFIG_FILE_SETTING, `${path} is not a JSON object (${source})`);
  return parsed as Record<string, unknown>;
}
