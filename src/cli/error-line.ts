import { SecretRotationRefused } from '../authn/secret-rotation/rotate-secret.js';
import { describeReason, UnreachableDependencyError } from '../config/unreachable.js';
import { ConfigError, isAuthError, PolicyError, UnavailableError } from '../errors.js';

/** What the CLI prints for an error that ended a command, and the exit code. */
export interface ErrorLine {
  text: string;
  exitCode: number;
}

/** Exit 2: the operator must change a setting, an argument or the environment; 1: anything else. */
const SETUP = 2;
const FAILED = 1;

/** The setting an operator fixes when a dependency cannot be reached. */
const dependencySetting = { database: 'DATABASE_URL', cache: 'REDIS_URL' } as const;

/**
 * One line, always: a driver's or parser's message may carry a snippet over
 * several lines (a YAML error quotes the file); the first line says what is wrong.
 */
const oneLine = (text: string): string => (text.split('\n')[0] ?? '').replace(/:\s*$/, '');

export function errorLine(error: unknown, usage: string): ErrorLine {
  const line = (text: string, exitCode: number) => ({
    text: `gatehouse: ${oneLine(text)}`,
    exitCode,
  });
  if (error instanceof ConfigError) return line(`invalid setting ${error.message}`, SETUP);
  if (error instanceof PolicyError)
    return line(`invalid setting policyFile: ${error.message}`, SETUP);
  if (error instanceof UnreachableDependencyError) return line(error.message, SETUP);
  if (error instanceof UnavailableError)
    return line(
      `cannot reach ${dependencySetting[error.dependency]}: ${describeReason(error.cause)}`,
      SETUP,
    );
  if (error instanceof SecretRotationRefused)
    return line(`secret rotate refused: ${error.message}`, SETUP);
  if (isAuthError(error)) return line(`${error.code}: ${error.message}`, FAILED);
  if (error instanceof TypeError && error.message.startsWith('Unknown option'))
    return { text: `gatehouse: ${error.message}\n${usage}`, exitCode: SETUP };
  return line(error instanceof Error ? error.message : String(error), FAILED);
}
