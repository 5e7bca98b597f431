import { readFile, stat } from 'node:fs/promises';
import type { SourceRecord } from '../../authn/user-import/import-row.js';
import { AuthError } from '../../errors.js';

/** A file read as users: the records, and how much of it has been read (0 to 1), for the ETA. */
export interface UserSource {
  records: AsyncIterable<SourceRecord>;
  /** Rows in the file when known up front (JSON documents), else null. */
  total: number | null;
  fractionRead(): number;
}

/** The file as a whole cannot be read as the format says: nothing is imported (exit 2). */
export const badFile = (message: string) => new AuthError('invalid_request', message);

export async function readJsonDocument(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badFile(`${file} is not a JSON document (${(error as Error).message.split('\n')[0]})`);
  }
}

export const fileSize = async (file: string): Promise<number> => (await stat(file)).size;

/** Records of an array already in memory, `users[i]` naming each. */
export function fromArray<T>(
  items: readonly T[],
  label: string,
  toRecord: (item: T) => Omit<SourceRecord, 'at'>,
): UserSource {
  let index = 0;
  async function* records(): AsyncGenerator<SourceRecord> {
    for (; index < items.length; index += 1) {
      const at = `${label}[${index}]`;
      yield { at, ...toRecord(items[index] as T) } as SourceRecord;
    }
  }
  return {
    records: records(),
    total: items.length,
    fractionRead: () => (items.length === 0 ? 1 : index / items.length),
  };
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export const stringOr = (value: unknown, fallback: string | null = null): string | null =>
  typeof value === 'string' ? value : fallback;
