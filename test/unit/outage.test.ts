import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isCacheOutage } from '../../src/cache/outage.js';
import { isDatabaseOutage } from '../../src/store/outage.js';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

// An outage answers 503; anything else (a bug, a bad query) must stay a 500.
describe('isDatabaseOutage', () => {
  it.each([
    ['admin shutdown', coded('57P01', 'terminating connection due to administrator command')],
    ['starting up', coded('57P03')],
    ['connection exception class 08', coded('08006')],
    ['too many connections', coded('53300')],
    ['refused', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['refused on every address', new AggregateError([coded('ECONNREFUSED')], '')],
    ['wrapped', new Error('query failed', { cause: coded('ECONNRESET') })],
    ['terminated', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['sqlite busy', coded('SQLITE_BUSY')],
    ['sqlite io', coded('SQLITE_IOERR_WRITE')],
  ])('%s is an outage', (_name, error) => expect(isDatabaseOutage(error)).toBe(true));

  it.each([
    ['syntax error', coded('42601', 'syntax error at or near "selec"')],
    ['unique violation', coded('23505')],
    ['bad encoding', coded('22021', 'invalid byte sequence for encoding "UTF8": 0x00')],
    ['sqlite constraint', coded('SQLITE_CONSTRAINT_UNIQUE')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'ECONNREFUSED'],
  ])('%s is not', (_name, error) => expect(isDatabaseOutage(error)).toBe(false));
});

describe('isCacheOutage', () => {
  it.each([
    ['closed', new Error('Connection is closed.')],
    [
      'no offline queue',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['timeout', new Error('Command timed out')],
    [
      'retries',
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    ['refused', coded('ECONNREFUSED')],
    ['loading', new ReplyError('LOADING Redis is loading the dataset in memory')],
  ])('%s is an outage', (_name, error) => expect(isCacheOutage(error)).toBe(true));

  it.each([
    [
      'script error',
      new ReplyError('ERR Error running script: attempt to compare nil with number'),
    ],
    [
      'wrong type',
      new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
    ],
    ['a bug', new TypeError('x is not a function')],
  ])('%s is not', (_name, error) => expect(isCacheOutage(error)).toBe(false));
});
