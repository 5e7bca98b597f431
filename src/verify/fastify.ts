import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VerifiedAccessToken } from './access-token.js';
import { VerifyError } from './errors.js';
import {
  bearerTokenFrom,
  type ChallengeOptions,
  checkRealm,
  type HttpFailure,
  httpFailureFor,
} from './http-failure.js';
import { assertScopes } from './scope.js';
import type { Verifier } from './verifier.js';

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

/** A preHandler that verifies the bearer token and sets `request.accessToken`. */
export function bearerAuth(verifier: Verifier, options: ChallengeOptions = {}): FastifyAuthHook {
  const realm = checkRealm(options.realm);
  return async (request, reply) => {
    const token = bearerTokenFrom(request.headers.authorization);
    try {
      if (token === undefined) throw new VerifyError('missing_token', 'no_bearer_token');
      request.accessToken = await verifier.verify(token);
      return undefined;
    } catch (error) {
      return send(reply, httpFailureFor(error, realm));
    }
  };
}

/** A preHandler, placed after `bearerAuth`, that demands every listed scope. */
export function requireScope(
  scopes: readonly string[],
  options: ChallengeOptions = {},
): FastifyAuthHook {
  const realm = checkRealm(options.realm);
  return async (request, reply) => {
    try {
      const token = request.accessToken;
      if (token === undefined) throw new VerifyError('missing_token', 'not_authenticated');
      assertScopes(token, scopes);
      return undefined;
    } catch (error) {
      return send(reply, httpFailureFor(error, realm, scopes));
    }
  };
}

const send = (reply: FastifyReply, failure: HttpFailure): FastifyReply =>
  reply.code(failure.status).headers(failure.headers).send(failure.body);
