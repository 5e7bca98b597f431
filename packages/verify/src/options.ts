import type { JWSAlgorithm } from 'jose';
import type { KeySource } from './key-source.js';
import { resolveLogger, type VerifierLogger } from './logger.js';
import type { RevocationCheck } from './revocation.js';
import type { RevocationSubscriptionOptions } from './revocation-subscription.js';

export type VerifierOptions = KeySource & {
  readonly issuer: string;
  readonly audience: string;
  /** Accepted `alg` values. Default `['EdDSA', 'ES256']`; symmetric and `none` are refused. */
  readonly algorithms?: readonly JWSAlgorithm[];
  /** Allowed clock skew for exp/nbf/iat. Default 5, at most 30. */
  readonly clockToleranceSeconds?: number;
  /**
   * The longest lifetime (`exp − iat`) a token may claim. Default 3600, the
   * issuer's maximum; set it to the issuer's configured lifetime. A token
   * claiming more is refused even with a valid signature: a leaked signing
   * moment must not mint a token that lives for years.
   */
  readonly maxTokenAgeSeconds?: number;
  /** A revocation check of your own (e.g. a set fed from Redis); or `revocations`, not both. */
  readonly revocation?: RevocationCheck;
  /**
   * Subscribe to Gatehouse's revocation stream (`GET /auth/revocations`) and
   * refuse what it revokes: `verifier.revocations` reports its state; await
   * `verifier.revocations.ready` before serving (until then every token is
   * refused with 503 `revocations_unavailable`). Stop it with `verifier.close()`.
   */
  readonly revocations?: RevocationSubscriptionOptions;
  /** Where misconfiguration is reported (issuer or audience mismatch). Default `console`; `false` is silent. */
  readonly logger?: VerifierLogger | false;
  /** Cache of verified tokens. Default 10,000 entries; 0 disables it. */
  readonly cache?: { readonly maxEntries?: number };
  /** Clock in epoch milliseconds, like Date.now. */
  readonly now?: () => number;
  /**
   * Accept tokens of a restricted session (a `restriction` claim, e.g. a user
   * who must enrol a second factor first). Default false: a resource server
   * knows no such restriction, so it refuses them (`invalid_token`,
   * `restricted_session`); only the issuer, which enforces it, sets this.
   */
  readonly acceptRestricted?: boolean;
};

export interface ResolvedOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: JWSAlgorithm[];
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds: number;
  readonly revocation: RevocationCheck | undefined;
  readonly logger: VerifierLogger;
  readonly cacheMaxEntries: number;
  readonly now: () => number;
  readonly acceptRestricted: boolean;
}

const ASYMMETRIC = /^(EdDSA|Ed25519|ES(256|384|512)|PS(256|384|512)|RS(256|384|512))$/;
const MAX_CLOCK_TOLERANCE_SECONDS = 30;
/** RFC 9068 access tokens are short-lived; Gatehouse issues them for at most an hour. */
const DEFAULT_MAX_TOKEN_AGE_SECONDS = 3600;

/** Validates options once, at creation. Misconfiguration is a TypeError. */
export function resolveOptions(options: VerifierOptions): ResolvedOptions {
  requireNonEmpty('issuer', options.issuer);
  requireNonEmpty('audience', options.audience);
  if ('jwksUrl' in options && 'jwks' in options) {
    throw new TypeError('give either jwksUrl or jwks, not both');
  }
  if (options.revocation !== undefined && options.revocations !== undefined) {
    throw new TypeError('give either revocation or revocations, not both');
  }
  const algorithms = [...(options.algorithms ?? ['EdDSA', 'ES256'])];
  if (algorithms.length === 0 || !algorithms.every((alg) => ASYMMETRIC.test(alg))) {
    throw new TypeError('algorithms must be a non-empty list of asymmetric JWS algorithms');
  }
  const clockToleranceSeconds = options.clockToleranceSeconds ?? 5;
  if (!(clockToleranceSeconds >= 0 && clockToleranceSeconds <= MAX_CLOCK_TOLERANCE_SECONDS)) {
    throw new TypeError(`clockToleranceSeconds must be within 0..${MAX_CLOCK_TOLERANCE_SECONDS}`);
  }
  const maxTokenAgeSeconds = options.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS;
  if (!(Number.isInteger(maxTokenAgeSeconds) && maxTokenAgeSeconds > 0)) {
    throw new TypeError('maxTokenAgeSeconds must be a positive integer');
  }
  return {
    issuer: options.issuer,
    audience: options.audience,
    algorithms,
    clockToleranceSeconds,
    maxTokenAgeSeconds,
    revocation: options.revocation,
    logger: resolveLogger(options.logger),
    cacheMaxEntries: options.cache?.maxEntries ?? 10_000,
    now: options.now ?? Date.now,
    acceptRestricted: options.acceptRestricted === true,
  };
}

function requireNonEmpty(name: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string`);
  }
}
