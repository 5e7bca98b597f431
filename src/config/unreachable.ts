import { describeFailure, errorChain } from '../connection-errors.js';
import { UnavailableError } from '../errors.js';

/** The setting an operator fixes when a dependency cannot be used. */
const settingOf = { database: 'DATABASE_URL', cache: 'REDIS_URL' } as const;
export type DependencySetting = (typeof settingOf)[keyof typeof settingOf];

/**
 * A database or Redis that the process cannot use at start: one line naming
 * the setting, its URL without credentials, and why
 * (`cannot reach DATABASE_URL (postgres://…@127.0.0.1:1): connection refused`).
 */
export class UnreachableDependencyError extends Error {
  override readonly name = 'UnreachableDependencyError';
  constructor(
    readonly setting: DependencySetting,
    url: string | undefined,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    const shown = url === undefined ? '' : ` (${redactUrl(url)})`;
    super(`cannot reach ${setting}${shown}: ${reason}`, options);
  }
}

/**
 * Scheme, host and port only: the user name and password become `…`, and the
 * path and query go (a query may carry `password=`).
 */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return '…';
  const parsed = new URL(url);
  const credentials = parsed.username !== '' || parsed.password !== '' ? '…@' : '';
  return `${parsed.protocol}//${credentials}${parsed.host}`;
}

const socketProblems: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EPIPE: 'connection closed',
};

/** What went wrong, in words: a socket error's meaning, else the driver's message (never a password). */
export function describeReason(cause: unknown): string {
  for (const failure of errorChain(cause)) {
    const code = typeof failure.code === 'string' ? failure.code : '';
    const problem = socketProblems[code];
    if (problem) return problem;
  }
  return describeFailure(cause);
}

/** PostgreSQL refusing the login (class 28) or not knowing the database (3D000): the URL is wrong, not down. */
const isRefusedLogin = (error: unknown): boolean =>
  errorChain(error).some(
    (e) => typeof e.code === 'string' && (/^28[0-9A-Z]{3}$/.test(e.code) || e.code === '3D000'),
  );

/**
 * Turns a dependency failure during start-up into the one line above;
 * anything else is returned as it is.
 */
export function explainStartupFailure(
  error: unknown,
  urls: { databaseUrl?: string | undefined; redisUrl?: string | undefined },
): unknown {
  if (error instanceof UnavailableError) {
    const setting = settingOf[error.dependency];
    const url = error.dependency === 'database' ? urls.databaseUrl : urls.redisUrl;
    return new UnreachableDependencyError(setting, url, describeReason(error.cause), {
      cause: error,
    });
  }
  if (urls.databaseUrl !== undefined && isRefusedLogin(error))
    return new UnreachableDependencyError(
      'DATABASE_URL',
      urls.databaseUrl,
      describeFailure(error),
      {
        cause: error,
      },
    );
  return error;
}
