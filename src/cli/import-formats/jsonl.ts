import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SourceRecord } from '../../authn/user-import/import-row.js';
import { fileSize, type UserSource } from './source.js';

/**
 * A JSON-lines file, streamed (never held whole): each non-blank line is
 * handed to `toRecord`; a line that is not JSON is that line's error.
 */
export async function jsonLinesSource(
  file: string,
  toRecord: (value: unknown) => Omit<SourceRecord, 'at'>,
): Promise<UserSource> {
  const size = await fileSize(file);
  const stream = createReadStream(file);
  async function* records(): AsyncGenerator<SourceRecord> {
    let number = 0;
    for await (const line of createInterface({
      input: stream,
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      number += 1;
      if (line.trim() === '') continue;
      const at = `line ${number}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        yield { at, error: { code: 'invalid_row', reason: 'not a JSON object' } };
        continue;
      }
      yield { at, ...toRecord(value) } as SourceRecord;
    }
  }
  return {
    records: records(),
    total: null,
    fractionRead: () => (size === 0 ? 1 : Math.min(1, stream.bytesRead / size)),
  };
}
