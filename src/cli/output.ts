import { once } from 'node:events';

/** One JSON line on stdout: what scripts read. */
export const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

/** Writes a line, waiting when stdout is full: a long listing is streamed, never held in memory. */
export async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
}

/** Tab-separated columns for people and `cut`/`awk`: a value never holds a tab or a line break. */
export const columns = (values: ReadonlyArray<string | number | boolean | null>): string =>
  values.map((value) => String(value ?? '-').replace(/[\t\r\n]/g, ' ')).join('\t');
