import type { NextFunction, Request, RequestHandler, Response } from 'express';
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

const tokens = new WeakMap<Request, VerifiedAccessToken>();

/** The token `bearerAuth` verified for this request, if any. */
export const accessTokenOf = (request: Request): VerifiedAccessToken | undefined =>
  tokens.get(request);

/** Middleware that verifies the bearer token; read it back with `accessTokenOf(req)`. */
export function bearerAuth(verifier: Verifier, options: ChallengeOptions = {}): RequestHandler {
  const realm = checkRealm(options.realm);
  return async (request: Request, response: Response, next: NextFunction) => {
    const token = bearerTokenFrom(request.headers.authorization);
    let verified: VerifiedAccessToken;
    try {
      if (token === undefined) throw new VerifyError('missing_token', 'no_bearer_token');
      verified = await verifier.verify(token);
    } catch (error) {
      send(response, httpFailureFor(error, realm));
      return;
    }
    tokens.set(request, verified);
    next();
  };
}

/** Middleware, placed after `bearerAuth`, that demands every listed scope. */
export function requireScope(
  scopes: readonly string[],
  options: ChallengeOptions = {},
): RequestHandler {
  return guard((token) => assertScopes(token, scopes), scopes, options);
}

/**
 * Middleware, placed after `bearerAuth`, that demands a permission of the
 * policy: granted by the token's roles, within its scopes (see permission.ts).
 * An unknown permission throws a TypeError here, at start-up.
 */
export function requirePermission(permission: string, options: PermissionOptions): RequestHandler {
  return guard(permissionCheck(permission, options.policy), [permission], options);
}

/** Middleware, placed after `bearerAuth`, that demands a role (see permission.ts). */
export function requireRole(role: string, options: RoleOptions = {}): RequestHandler {
  return guard(roleCheck(role, options.policy), [], options);
}

/** Middleware that answers 401 without a verified token and the check's refusal otherwise. */
function guard(
  check: TokenCheck,
  scopes: readonly string[],
  options: ChallengeOptions,
): RequestHandler {
  const realm = checkRealm(options.realm);
  return (request: Request, response: Response, next: NextFunction) => {
    try {
      const token = tokens.get(request);
      if (token === undefined) throw new VerifyError('missing_token', 'not_authenticated');
      check(token);
    } catch (error) {
      send(response, httpFailureFor(error, realm, scopes));
      return;
    }
    next();
  };
}

function send(response: Response, failure: HttpFailure): void {
  response.status(failure.status).set(failure.headers).send(JSON.stringify(failure.body));
}
