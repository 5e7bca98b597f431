/**
 * What the database and cache adapters share when telling an outage from a
 * bug: Node's socket errors, found on the error, its causes, or the errors it
 * aggregates (a connect to a host name tries every address).
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

type Failure = Error & { code?: unknown; errors?: unknown };

/** The error, its `cause`s and aggregated `errors`, a few levels deep. */
export function errorChain(error: unknown, depth = 0): Failure[] {
  if (!(error instanceof Error) || depth > 4) return [];
  const failure: Failure = error;
  const nested = Array.isArray(failure.errors) ? failure.errors : [];
  return [
    failure,
    ...errorChain(failure.cause, depth + 1),
    ...nested.flatMap((inner: unknown) => errorChain(inner, depth + 1)),
  ];
}

export const isNetworkFailure = (error: unknown): boolean =>
  errorChain(error).some((e) => typeof e.code === 'string' && NETWORK_CODES.has(e.code));

/** One line saying why, for logs and the CLI: never a stack, and drivers put no password in these. */
export function describeFailure(error: unknown): string {
  const described = errorChain(error).find((e) => e.message !== '');
  if (described) return described.message;
  const coded = errorChain(error).find((e) => typeof e.code === 'string');
  return coded ? String(coded.code) : String(error);
}
