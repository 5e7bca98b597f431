import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  bearerTokenFrom,
  type ChallengeOptions,
  checkRealm,
  type HttpFailure,
  httpFailureFor,
} from './http-failure.js';
import {
  type PermissionOptions,
  permissionCheck,
  type RoleOptions,
  roleCheck,
  type TokenCheck,
} from './permission.js';
import { assertScopes } from './scope.js';
import type { VerifiedAccessToken } from './verified-access-token.js';
import type { Verifier } from './verifier.js';
import { VerifyError } from './verify-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the `bearerAuth` preHandler once the access token is verified. */
    accessToken?: VerifiedAccessToken;
  }
}

export type FastifyAuthHook = (
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<FastifyReply | undefined>;

export type FastifyCallbackHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void;

/**
 * A preHandler that verifies the bearer token and sets `request.accessToken`.
 * Callback-style so that a cache hit completes synchronously, with no promise
 * per request; for speed, `app.decorateRequest('accessToken', undefined)`.
 */
export function bearerAuth(
  verifier: Verifier,
  options: ChallengeOptions = {},
): FastifyCallbackHook {
  const realm = checkRealm(options.realm);
  return (request, reply, done) => {
    const fail = (error: unknown): void => {
      if (error instanceof VerifyError) send(reply, httpFailureFor(error, realm));
      else done(toError(error));
    };
    const token = bearerTokenFrom(request.headers.authorization);
    if (token === undefined) {
      fail(new VerifyError('missing_token', 'no_bearer_token'));
      return;
    }
    let cached: VerifiedAccessToken | undefined;
    try {
      cached = verifier.verifyCached(token);
    } catch (error) {
      fail(error);
      return;
    }
    if (cached !== undefined) {
      request.accessToken = cached;
      done();
      return;
    }
    verifier.verify(token).then((verified) => {
      request.accessToken = verified;
      done();
    }, fail);
  };
}

const toError = (error: unknown): Error =>
  error instanceof Error ? error : new Error('verification failed', { cause: error });

/** A preHandler, placed after `bearerAuth`, that demands every listed scope. */
export function requireScope(
  scopes: readonly string[],
  options: ChallengeOptions = {},
): FastifyAuthHook {
  return guard((token) => assertScopes(token, scopes), scopes, options);
}

/**
 * A preHandler, placed after `bearerAuth`, that demands a permission of the
 * policy: granted by the token's roles, within its scopes (see permission.ts).
 * An unknown permission throws a TypeError here, at start-up.
 */
export function requirePermission(permission: string, options: PermissionOptions): FastifyAuthHook {
  return guard(permissionCheck(permission, options.policy), [permission], options);
}

/** A preHandler, placed after `bearerAuth`, that demands a role (see permission.ts). */
export function requireRole(role: string, options: RoleOptions = {}): FastifyAuthHook {
  return guard(roleCheck(role, options.policy), [], options);
}

/** A preHandler that answers 401 without a verified token and the check's refusal otherwise. */
function guard(
  check: TokenCheck,
  scopes: readonly string[],
  options: ChallengeOptions,
): FastifyAuthHook {
  const realm = checkRealm(options.realm);
  return async (request, reply) => {
    try {
      const token = request.accessToken;
      if (token === undefined) throw new VerifyError('missing_token', 'not_authenticated');
      check(token);
      return undefined;
    } catch (error) {
      return send(reply, httpFailureFor(error, realm, scopes));
    }
  };
}

const send = (reply: FastifyReply, failure: HttpFailure): FastifyReply =>
  reply.code(failure.status).headers(failure.headers).send(failure.body);
