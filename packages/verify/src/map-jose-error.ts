import { errors } from 'jose';
import { VerifyError } from './verify-error.js';

/** Translates whatever jose (or the key source) threw into a VerifyError. */
export function toVerifyError(error: unknown): VerifyError {
  if (error instanceof VerifyError) return error;
  if (error instanceof errors.JWTExpired) {
    return new VerifyError('token_expired', 'expired', { claim: 'exp', cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new VerifyError('invalid_token', `${error.claim}_${error.reason}`, {
      claim: error.claim,
      cause: error,
    });
  }
  if (error instanceof errors.JOSEError) return fromJoseCode(error);
  return new VerifyError('jwks_unavailable', 'key_source_failed', { cause: error });
}

function fromJoseCode(error: errors.JOSEError): VerifyError {
  switch (error.code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new VerifyError('invalid_token', 'alg_not_allowed', { claim: 'alg', cause: error });
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new VerifyError('invalid_token', 'bad_signature', { cause: error });
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return new VerifyError('invalid_token', 'unknown_key', { claim: 'kid', cause: error });
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new VerifyError('invalid_token', 'ambiguous_key', { claim: 'kid', cause: error });
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return new VerifyError('jwks_unavailable', 'jwks_fetch_failed', { cause: error });
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new VerifyError('invalid_token', 'not_supported', { cause: error });
    default:
      return new VerifyError('invalid_token', 'malformed', { cause: error });
  }
}
