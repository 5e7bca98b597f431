import type { MiddlewareHandler } from 'hono';
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

/** Context variables set by `bearerAuth`: `c.get('accessToken')`. */
export interface AccessTokenEnv {
  Variables: { accessToken: VerifiedAccessToken };
}

/** Middleware that verifies the bearer token and sets `c.var.accessToken`. */
export function bearerAuth(
  verifier: Verifier,
  options: ChallengeOptions = {},
): MiddlewareHandler<AccessTokenEnv> {
  const realm = checkRealm(options.realm);
  return async (c, next) => {
    const token = bearerTokenFrom(c.req.header('authorization'));
    try {
      if (token === undefined) throw new VerifyError('missing_token', 'no_bearer_token');
      c.set('accessToken', await verifier.verify(token));
    } catch (error) {
      return toResponse(httpFailureFor(error, realm));
    }
    await next();
    return undefined;
  };
}

/** Middleware, placed after `bearerAuth`, that demands every listed scope. */
export function requireScope(
  scopes: readonly string[],
  options: ChallengeOptions = {},
): MiddlewareHandler<AccessTokenEnv> {
  return guard((token) => assertScopes(token, scopes), scopes, options);
}

/**
 * Middleware, placed after `bearerAuth`, that demands a permission of the
 * policy: granted by the token's roles, within its scopes (see permission.ts).
 * An unknown permission throws a TypeError here, at start-up.
 */
export function requirePermission(
  permission: string,
  options: PermissionOptions,
): MiddlewareHandler<AccessTokenEnv> {
  return guard(permissionCheck(permission, options.policy), [permission], options);
}

/** Middleware, placed after `bearerAuth`, that demands a role (see permission.ts). */
export function requireRole(
  role: string,
  options: RoleOptions = {},
): MiddlewareHandler<AccessTokenEnv> {
  return guard(roleCheck(role, options.policy), [], options);
}

/** Middleware that answers 401 without a verified token and the check's refusal otherwise. */
function guard(
  check: TokenCheck,
  scopes: readonly string[],
  options: ChallengeOptions,
): MiddlewareHandler<AccessTokenEnv> {
  const realm = checkRealm(options.realm);
  return async (c, next) => {
    try {
      const token: VerifiedAccessToken | undefined = c.get('accessToken');
      if (token === undefined) throw new VerifyError('missing_token', 'not_authenticated');
      check(token);
    } catch (error) {
      return toResponse(httpFailureFor(error, realm, scopes));
    }
    await next();
    return undefined;
  };
}

const toResponse = (failure: HttpFailure): Response =>
  new Response(JSON.stringify(failure.body), { status: failure.status, headers: failure.headers });
