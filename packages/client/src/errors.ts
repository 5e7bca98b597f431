/**
 * The codes of Gatehouse's problem documents (src/errors.ts of the server) and of
 * gatehouse/verify's answers on a resource server. A type test keeps the list in
 * step with the server's.
 */
export type ApiErrorCode =
  | 'invalid_request'
  | 'weak_password'
  | 'invalid_credentials'
  | 'unauthenticated'
  | 'invalid_link_token'
  | 'invalid_refresh_token'
  | 'invalid_challenge'
  | 'invalid_code'
  | 'step_up_required'
  | 'mfa_enrollment_required'
  | 'account_banned'
  | 'email_not_verified'
  | 'already_verified'
  | 'forbidden'
  | 'csrf_failed'
  | 'unknown_role'
  | 'not_found'
  | 'conflict'
  | 'link_required'
  | 'no_account'
  | 'upstream_error'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'request_timeout'
  | 'headers_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'invalid_config'
  | 'invalid_policy'
  | 'internal'
  | 'invalid_token'
  | 'insufficient_scope';

/**
 * What the client itself concludes: the request got no answer (`network_error`),
 * the answer was not one of Gatehouse's (`unexpected_response`, e.g. a proxy's
 * HTML error page), or the browser's passkey ceremony failed (`passkey_failed`:
 * cancelled, no authenticator, timed out; the browser's error is the `cause`).
 */
export type ClientErrorCode = 'network_error' | 'unexpected_response' | 'passkey_failed';

/** `string & {}` keeps a code a newer server may add without losing the known ones' narrowing. */
export type GatehouseErrorCode = ApiErrorCode | ClientErrorCode | (string & {});

export interface GatehouseErrorFields {
  /** The HTTP status; 0 when no answer came. */
  status: number;
  /** The problem document's `detail`, safe to show. */
  detail?: string | undefined;
  /** `Retry-After` of a 429 or 503, in seconds. */
  retryAfterSeconds?: number | undefined;
  /** A `step_up_required` answer: the login must be at most this old (RFC 9470 `max_age`). */
  maxAgeSeconds?: number | undefined;
  /** A `step_up_required` answer: the login must reach this level (RFC 9470 `acr_values`). */
  acrValues?: string | undefined;
}

/** Every failure of the client: `switch (error.code)` on the API's stable codes. */
export class GatehouseError extends Error {
  override readonly name = 'GatehouseError';
  readonly code: GatehouseErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly maxAgeSeconds: number | undefined;
  readonly acrValues: string | undefined;

  constructor(code: GatehouseErrorCode, fields: GatehouseErrorFields, options?: ErrorOptions) {
    super(fields.detail ? `${code}: ${fields.detail}` : code, options);
    this.code = code;
    this.status = fields.status;
    this.detail = fields.detail;
    this.retryAfterSeconds = fields.retryAfterSeconds;
    this.maxAgeSeconds = fields.maxAgeSeconds;
    this.acrValues = fields.acrValues;
  }
}

export const isGatehouseError = (error: unknown): error is GatehouseError =>
  error instanceof GatehouseError;
