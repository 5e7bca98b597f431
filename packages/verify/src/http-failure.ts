import { VerifyError } from './verify-error.js';

/** RFC 9457 problem document. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
}

/** A framework-neutral error response; each middleware only copies it out. */
export interface HttpFailure {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Problem;
}

export interface ChallengeOptions {
  /** `realm` of the Bearer challenge. Default "api". */
  readonly realm?: string;
}

const DETAILS: Record<VerifyError['code'], string> = {
  missing_token: 'An access token is required.',
  invalid_token: 'The access token is invalid.',
  token_expired: 'The access token has expired.',
  token_revoked: 'The access token has been revoked.',
  insufficient_scope: 'The access token lacks a required scope.',
  forbidden: 'The access token does not grant this.',
  jwks_unavailable: 'Access tokens cannot be verified right now.',
  revocations_unavailable: 'Revocations cannot be checked right now.',
};

/** The HTTP status of each code: one meaning per code, the same as in the server's catalogue. */
export const verifyStatus: Readonly<Record<VerifyError['code'], number>> = {
  missing_token: 401,
  invalid_token: 401,
  token_expired: 401,
  token_revoked: 401,
  insufficient_scope: 403,
  forbidden: 403,
  jwks_unavailable: 503,
  revocations_unavailable: 503,
};

/** Reads `Authorization: Bearer <token>`; undefined when no bearer credential was sent. */
export function bearerTokenFrom(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  // The usual shape, `Bearer <token>` with nothing around it, skips the regex.
  if (authorization.startsWith('Bearer ') && authorization.charCodeAt(7) > 32) {
    const last = authorization.charCodeAt(authorization.length - 1);
    if (last > 32 && authorization.indexOf(' ', 7) === -1) return authorization.slice(7);
  }
  const match = /^Bearer(?: +(.*))?$/i.exec(authorization.trim());
  if (match === null) return undefined;
  return match[1]?.trim() ?? '';
}

/** Checks a realm once, at middleware creation: it is quoted into a header. */
export function checkRealm(realm: string | undefined): string {
  const value = realm ?? 'api';
  if (!/^[\x20-\x7e]*$/.test(value) || /["\\]/.test(value)) {
    throw new TypeError('realm must be printable ASCII without quotes or backslashes');
  }
  return value;
}

/** The RFC 6750 §3 response for a verifier failure; anything else is rethrown. */
export function httpFailureFor(
  error: unknown,
  realm: string,
  requiredScopes: readonly string[] = [],
): HttpFailure {
  if (!(error instanceof VerifyError)) throw error;
  const { status, challenge } = statusAndChallenge(error.code, realm, requiredScopes);
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  const body: Problem = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    code: error.code,
    detail: DETAILS[error.code],
  };
  return { status, headers, body };
}

const TITLES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

function statusAndChallenge(
  code: VerifyError['code'],
  realm: string,
  requiredScopes: readonly string[],
): { status: number; challenge: string | undefined } {
  const status = verifyStatus[code];
  switch (code) {
    case 'missing_token':
      return { status, challenge: `Bearer realm="${realm}"` };
    case 'insufficient_scope':
      return {
        status,
        challenge: `Bearer realm="${realm}", error="insufficient_scope", scope="${requiredScopes.join(' ')}"`,
      };
    // A token with more scope or a new login would not change the roles' answer: no challenge.
    case 'forbidden':
    case 'jwks_unavailable':
    case 'revocations_unavailable':
      return { status, challenge: undefined };
    default:
      return { status, challenge: `Bearer realm="${realm}", error="invalid_token"` };
  }
}
