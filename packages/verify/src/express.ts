import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  bearerTokenFrom,
  type ChallengeOptions,
  checkRealm,
  type HttpFailure,
  httpFailureFor,
} from './http-failure.js';
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
  const realm = checkRealm(options.realm);
  return (request: Request, response: Response, next: NextFunction) => {
    try {
      const token = tokens.get(request);
      if (token === undefined) throw new VerifyError('missing_token', 'not_authenticated');
      assertScopes(token, scopes);
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
