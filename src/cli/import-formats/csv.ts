import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { parse as parseNow } from 'csv-parse/sync';
import { rowDefaults, type SourceRecord } from '../../authn/user-import/import-row.js';
import { badFile, fileSize, type UserSource } from './source.js';

const COLUMNS = ['email', 'email_verified', 'roles', 'password_hash'] as const;
const TRUE = new Set(['true', '1', 'yes', 'y']);
const FALSE = new Set(['false', '0', 'no', 'n', '']);

/** A header column we do not know would be dropped silently: the file is refused instead. */
function checkHeader(header: string[]): string[] {
  const names = header.map((name) => name.trim().toLowerCase());
  const unknown = names.filter((name) => !(COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw badFile(`unknown CSV column ${unknown.join(', ')} (known: ${COLUMNS.join(', ')})`);
  if (!names.includes('email')) throw badFile('the CSV header has no email column');
  return names;
}

/** The header is checked before anything else is opened: a wrong file is refused at once (exit 2). */
async function checkHeaderLine(file: string): Promise<void> {
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0);
    const first =
      buffer
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)[0] ?? '';
    let header: unknown;
    try {
      header = parseNow(first, { relax_quotes: true })[0];
    } catch {
      throw badFile('the first line is not a CSV header');
    }
    checkHeader(Array.isArray(header) ? header.map(String) : []);
  } finally {
    await handle.close();
  }
}

function toRecord(at: string, cells: Record<string, string | undefined>): SourceRecord {
  const verified = (cells.email_verified ?? '').trim().toLowerCase();
  if (!TRUE.has(verified) && !FALSE.has(verified))
    return { at, error: { code: 'invalid_row', reason: 'email_verified is not true or false' } };
  const hash = (cells.password_hash ?? '').trim();
  return {
    at,
    row: {
      ...rowDefaults(),
      email: cells.email ?? '',
      emailVerified: TRUE.has(verified),
      roles: (cells.roles ?? '').split(/[\s;]+/).filter((role) => role !== ''),
      passwordHash: hash === '' ? null : hash,
    },
  };
}

/**
 * `--format csv`: a header row naming some of email, email_verified, roles
 * (space- or `;`-separated), password_hash; streamed. A record the parser
 * cannot read (a broken quote) is that record's error; the rest go on.
 */
export async function csvSource(file: string): Promise<UserSource> {
  const size = await fileSize(file);
  await checkHeaderLine(file);
  const stream = createReadStream(file);
  const skipped: SourceRecord[] = [];
  const parser = stream.pipe(
    parse({
      columns: checkHeader,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (error) => {
        skipped.push({
          at: `line ${error?.lines ?? '?'}`,
          error: { code: 'invalid_row', reason: 'not a readable CSV record' },
        });
        return undefined;
      },
    }),
  );
  let failure: Error | undefined;
  stream.on('error', (error) => parser.destroy(error));
  // Kept until the records are read (the store opens in between), then thrown from there.
  parser.on('error', (error) => {
    failure ??= error;
  });
  async function* records(): AsyncGenerator<SourceRecord> {
    if (failure) throw failure;
    for await (const entry of parser as AsyncIterable<{
      record: Record<string, string | undefined>;
      info: { lines: number };
    }>) {
      yield* skipped.splice(0);
      yield toRecord(`line ${entry.info.lines}`, entry.record);
    }
    yield* skipped.splice(0);
    if (failure) throw failure;
  }
  return {
    records: records(),
    total: null,
    fractionRead: () => (size === 0 ? 1 : Math.min(1, stream.bytesRead / size)),
  };
}
