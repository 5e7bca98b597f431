/**
 * Typed errors with stable codes. The core throws these for untrusted input;
 * programmer misuse is a TypeError. The HTTP status and public title of each
 * code are mapped in one place: src/http/problem.ts.
 */
export type ErrorCode =
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
  | 'internal';

export class AuthError extends Error {
  override readonly name: string = 'AuthError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export class WeakPasswordError extends AuthError {
  override readonly name = 'WeakPasswordError';
  constructor(
    readonly rule: 'too_short' | 'too_long' | 'common' | 'contains_email' | 'context',
    message: string,
  ) {
    super('weak_password', message);
  }
}

/** A role name the authorization policy does not define (a typo, or a role from another deployment). */
export class UnknownRoleError extends AuthError {
  override readonly name = 'UnknownRoleError';
  constructor(readonly role: string) {
    super('unknown_role', `The policy defines no role '${role}'.`);
  }
}

/** What an action demands of the login behind the request (RFC 9470). */
export interface StepUpDemand {
  /** The user must have authenticated within this many seconds. */
  readonly maxAgeSeconds?: number | undefined;
  /** The login must reach at least this level. */
  readonly acr?: 'aal1' | 'aal2' | undefined;
  /** A recent login in the configured sense: `maxAgeSeconds` is `stepUp.recentLoginSeconds`. */
  readonly recentLogin?: true | undefined;
}

/** The login is too old or too weak for the action: re-authenticate (POST /auth/reauthenticate) and retry. */
export class StepUpRequiredError extends AuthError {
  override readonly name = 'StepUpRequiredError';
  constructor(
    readonly demand: StepUpDemand,
    message = 'This action needs a more recent or stronger sign-in.',
  ) {
    super('step_up_required', message);
  }
}

export class RateLimitedError extends AuthError {
  override readonly name = 'RateLimitedError';
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many attempts; try again later.',
  ) {
    super('rate_limited', message);
  }
}

/**
 * A dependency the request needs (the database, the cache) cannot be reached
 * right now: the client may retry. The driver's own error is the `cause`, for
 * logs only; the message is safe to show.
 */
/** How long a caller is told to wait when a dependency is down. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export class UnavailableError extends AuthError {
  override readonly name = 'UnavailableError';
  constructor(
    readonly dependency: 'database' | 'cache',
    options?: ErrorOptions,
    readonly retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS,
  ) {
    super('unavailable', `The ${dependency} is unavailable; try again shortly.`, options);
  }
}

export class ConfigError extends AuthError {
  override readonly name = 'ConfigError';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super('invalid_config', `${setting}: ${message}`);
  }
}

/**
 * A policy file that does not load (code `invalid_policy`, with file, line and
 * path): the engine's own error, from @gatehouse/authz. It is not an AuthError
 * since the engine stands alone; its code is still in the catalogue.
 */
export { PolicyError } from '@gatehouse/authz';

export const isAuthError = (value: unknown): value is AuthError => value instanceof AuthError;
