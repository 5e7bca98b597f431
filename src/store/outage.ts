import { errorChain, isNetworkFailure } from '../connection-errors.js';

/**
 * PostgreSQL SQLSTATEs that mean "the server is not there for you right now":
 * class 08 (connection exception), 57P01–57P03 (shutdown, crash, starting up),
 * 53300 (too many connections).
 */
const isUnavailableState = (code: string) =>
  /^08/.test(code) || /^57P0[123]$/.test(code) || code === '53300';

/** node-postgres reports a dead or slow connection in these words, without a code. */
const PG_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Query read timeout/,
];

/** SQLite: another writer holds the file too long, or the disk fails or is full. */
const isSqliteOutage = (code: string) =>
  code === 'SQLITE_BUSY' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL';

/** True when a query failed because the database could not be reached, not because of the query. */
export function isDatabaseOutage(error: unknown): boolean {
  if (isNetworkFailure(error)) return true;
  return errorChain(error).some((e) => {
    const code = typeof e.code === 'string' ? e.code : '';
    return (
      isUnavailableState(code) ||
      isSqliteOutage(code) ||
      PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(e.message))
    );
  });
}
