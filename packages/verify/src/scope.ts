import type { VerifiedAccessToken } from './verified-access-token.js';
import { VerifyError } from './verify-error.js';

/** Throws `insufficient_scope` unless the token carries every required scope. */
export function assertScopes(token: VerifiedAccessToken, required: readonly string[]): void {
  const missing = required.filter((scope) => !token.scope.includes(scope));
  if (missing.length > 0) {
    throw new VerifyError('insufficient_scope', 'scope_missing', { claim: 'scope' });
  }
}
