/**
 * Where the verifier reports what an operator must fix (a configured issuer
 * or audience that tokens do not carry, a revocation stream that refuses the
 * credential). One string per line, never a token: `console` fits, and so
 * does pino (`logger.warn(message)`). `false` turns it off.
 */
export interface VerifierLogger {
  warn(message: string): void;
  info?(message: string): void;
}

export const resolveLogger = (logger: VerifierLogger | false | undefined): VerifierLogger =>
  logger === false ? { warn: () => {} } : (logger ?? console);

/** Logs each distinct message once, and at most `limit` of them: a flood cannot fill the log. */
export function once(logger: VerifierLogger, limit = 20): (message: string) => void {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message) || seen.size >= limit) return;
    seen.add(message);
    logger.warn(message);
  };
}
