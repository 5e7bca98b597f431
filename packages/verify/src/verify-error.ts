/**
 * The verifier's one failure channel: every rejected token is a VerifyError
 * with a stable `code` (switch on it) and a short machine-readable `reason`.
 * Messages never contain the token.
 */
export type VerifyErrorCode =
  | 'missing_token'
  | 'invalid_token'
  | 'token_expired'
  | 'token_revoked'
  | 'insufficient_scope'
  /** A valid token whose roles do not grant the permission or role a route needs (403, no challenge). */
  | 'forbidden'
  | 'jwks_unavailable'
  /** The revocation stream is not caught up (not yet, or disconnected too long): fail closed, 503. */
  | 'revocations_unavailable';

export class VerifyError extends Error {
  override readonly name = 'VerifyError';
  readonly code: VerifyErrorCode;
  /** Why, in snake_case: `bad_signature`, `alg_not_allowed`, `iss_check_failed`, ... */
  readonly reason: string;
  /** The claim or header at fault, when there is one. */
  readonly claim: string | undefined;

  constructor(
    code: VerifyErrorCode,
    reason: string,
    options?: ErrorOptions & { claim?: string; message?: string },
  ) {
    super(options?.message ?? `${code}: ${reason}`, options);
    this.code = code;
    this.reason = reason;
    this.claim = options?.claim;
  }
}

export const isVerifyError = (value: unknown): value is VerifyError => value instanceof VerifyError;
