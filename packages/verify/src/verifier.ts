import { type JWTVerifyGetKey, jwtVerify } from 'jose';
import { createMismatchReporter } from './claim-mismatch.js';
import { createKeyGetter } from './key-source.js';
import { toVerifyError } from './map-jose-error.js';
import { type ResolvedOptions, resolveOptions, type VerifierOptions } from './options.js';
import { createRevocationSet, type RevocationCheck } from './revocation.js';
import { type RevocationSubscription, subscribeRevocations } from './revocation-subscription.js';
import { TokenCache } from './token-cache.js';
import { toVerifiedAccessToken, type VerifiedAccessToken } from './verified-access-token.js';
import { VerifyError } from './verify-error.js';

export interface Verifier {
  /** Resolves with the verified token or rejects with a VerifyError; nothing else. */
  verify(token: string): Promise<VerifiedAccessToken>;
  /**
   * The synchronous fast path: the token if it is in the cache and still
   * valid, `undefined` if it is not cached (then call `verify`). Throws a
   * VerifyError when it is cached but has since expired or been revoked.
   */
  verifyCached(token: string): VerifiedAccessToken | undefined;
  /** The revocation stream, when `revocations` was given; undefined otherwise. */
  readonly revocations: RevocationSubscription | undefined;
  /** Stops the revocation stream (if any); the verifier then refuses tokens as it would when disconnected. */
  close(): void;
}

/** RFC 9068 §2.1: access tokens carry `typ: at+jwt`. */
const ACCESS_TOKEN_TYP = 'at+jwt';
/** `sid` too, except in machine tokens: checked in toVerifiedAccessToken. */
const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'sub', 'jti'];

export function createVerifier(options: VerifierOptions): Verifier {
  const base = resolveOptions(options);
  const getKey = createKeyGetter(options);
  const cache = new TokenCache(base.cacheMaxEntries);
  const revocations = subscriptionOf(options, base);
  const resolved: Checks = {
    ...base,
    revocation: revocations?.check ?? base.revocation,
    reportMismatch: createMismatchReporter(base.logger, base),
  };

  const verifyCached = (token: string): VerifiedAccessToken | undefined => {
    const cached = cache.get(token);
    return cached === undefined ? undefined : checkStillValid(cached, token, resolved, cache);
  };

  return {
    verifyCached,
    revocations: revocations?.subscription,
    close: () => revocations?.subscription.close(),
    async verify(token) {
      if (typeof token !== 'string' || token === '') {
        throw new VerifyError('invalid_token', 'malformed');
      }
      const cached = verifyCached(token);
      if (cached !== undefined) return cached;
      const verified = await verifySignatureAndClaims(token, getKey, resolved);
      checkNotRevoked(verified, resolved);
      cache.set(token, verified);
      return verified;
    },
  };
}

type Checks = ResolvedOptions & { readonly reportMismatch: (error: unknown) => void };

/** The stream and the check it feeds: the set's answer, failing closed when the stream is stale. */
function subscriptionOf(options: VerifierOptions, resolved: ResolvedOptions) {
  if (options.revocations === undefined) return undefined;
  const set = createRevocationSet({ now: resolved.now });
  const subscription = subscribeRevocations(
    { logger: options.logger, ...options.revocations },
    { set, now: resolved.now },
  );
  const check: RevocationCheck = {
    isRevoked(subject) {
      subscription.assertFresh();
      return set.isRevoked(subject);
    },
  };
  return { subscription, check };
}

async function verifySignatureAndClaims(
  token: string,
  getKey: JWTVerifyGetKey,
  options: Checks,
): Promise<VerifiedAccessToken> {
  const nowMilliseconds = options.now();
  let claims: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload: claims } = await jwtVerify(token, getKey, {
      algorithms: options.algorithms,
      issuer: options.issuer,
      audience: options.audience,
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: options.clockToleranceSeconds,
      currentDate: new Date(nowMilliseconds),
    }));
  } catch (error) {
    options.reportMismatch(error);
    throw toVerifyError(error);
  }
  const verified = toVerifiedAccessToken(claims);
  if (verified.iat > epochSeconds(nowMilliseconds) + options.clockToleranceSeconds) {
    throw new VerifyError('invalid_token', 'iat_in_future', { claim: 'iat' });
  }
  // With iat not in the future, this also bounds how long after iat the token is accepted.
  if (verified.exp - verified.iat > options.maxTokenAgeSeconds) {
    throw new VerifyError('invalid_token', 'lifetime_too_long', { claim: 'exp' });
  }
  if (verified.restriction !== undefined && !options.acceptRestricted) {
    throw new VerifyError('invalid_token', 'restricted_session', { claim: 'restriction' });
  }
  return verified;
}

/** A cache hit proves the signature and audience; time and revocation move on. */
function checkStillValid(
  verified: VerifiedAccessToken,
  token: string,
  options: ResolvedOptions,
  cache: TokenCache,
): VerifiedAccessToken {
  if (verified.exp <= epochSeconds(options.now()) - options.clockToleranceSeconds) {
    cache.delete(token);
    throw new VerifyError('token_expired', 'expired', { claim: 'exp' });
  }
  checkNotRevoked(verified, options);
  return verified;
}

function checkNotRevoked(verified: VerifiedAccessToken, options: ResolvedOptions): void {
  if (options.revocation?.isRevoked(verified) === true) {
    throw new VerifyError('token_revoked', 'revoked');
  }
}

const epochSeconds = (milliseconds: number): number => Math.floor(milliseconds / 1000);
