import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const README = join(dirname(fileURLToPath(import.meta.url)), '../../README.md');

/**
 * The code block that follows `<!-- quick-start: NAME -->` in the README, as written there, so a
 * test can run the README's quick starts instead of a copy of them.
 */
export function readmeQuickStart(name: string): string {
  const text = readFileSync(README, 'utf8');
  const marker = `<!-- quick-start: ${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`README has no ${marker}`);
  const block = /```[a-z]*\n([\s\S]*?)\n```/.exec(text.slice(at + marker.length));
  if (!block?.[1]) throw new Error(`README has no code block after ${marker}`);
  return block[1];
}
