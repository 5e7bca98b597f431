import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  bearerTokenFrom,
  createVerifier,
  httpFailureFor,
  type Verifier,
  type VerifierOptions,
  VerifyError,
} from '@gatehouse/verify';
import type { TestServer } from './server.js';

export interface ResourceServer {
  readonly verifier: Verifier;
  /** GET /api with the token: the status and the problem code (or the caller's `sub`). */
  call(token: string): Promise<{ status: number; code?: string; sub?: string }>;
  close(): Promise<void>;
}

type Subscription = NonNullable<VerifierOptions['revocations']>;

/** A node:http resource server with no Redis: JWKS from Gatehouse, revocations from its stream. */
export async function startResourceServer(
  gatehouse: TestServer,
  revocations: Subscription,
): Promise<ResourceServer> {
  const verifier = createVerifier({
    issuer: gatehouse.core.issuer,
    audience: gatehouse.core.settings.tokens.audience,
    jwksUrl: `${gatehouse.url}/.well-known/jwks.json`,
    revocations: { maxBackoffSeconds: 1, ...revocations },
    logger: false,
  });
  const http = createServer((request, response) => {
    const token = bearerTokenFrom(request.headers.authorization);
    const answer = token
      ? verifier.verify(token)
      : Promise.reject(new VerifyError('missing_token', 'absent'));
    answer.then(
      (verified) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ sub: verified.sub }));
      },
      (error: unknown) => {
        const failure = httpFailureFor(error, 'api');
        response.writeHead(failure.status, failure.headers);
        response.end(JSON.stringify(failure.body));
      },
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    verifier,
    async call(token) {
      const response = await fetch(`${url}/api`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as { code?: string; sub?: string };
      return { status: response.status, ...body };
    },
    async close() {
      verifier.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
