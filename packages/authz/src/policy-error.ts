/**
 * A policy file the engine cannot trust: the first problem found, with the
 * file, the 1-based line and the YAML path of the value at fault. Loading
 * throws it so that a server refuses to start rather than decide on a
 * policy it misread.
 */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  /** Stable code, the same as Gatehouse's problem catalogue uses. */
  readonly code = 'invalid_policy' as const;

  constructor(
    readonly file: string,
    readonly line: number,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${path ? `${path}: ` : ''}${detail}`);
  }
}
