import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const listUrl = new URL('../../assets/common-passwords.txt.gz', import.meta.url);

let cached: ReadonlySet<string> | undefined;

/**
 * The 100,000 most common passwords of the SecLists 10-million list, loaded
 * once into a Set on first use (about 10 ms, a few MB).
 */
export function commonPasswords(): ReadonlySet<string> {
  if (!cached) {
    const text = gunzipSync(readFileSync(listUrl)).toString('utf8');
    cached = new Set(text.split('\n').filter((line) => line.length > 0));
  }
  return cached;
}
