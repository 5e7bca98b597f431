import { createRevocationSet, createVerifier, type Verifier } from '@gatehouse/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  ISSUER,
  makeKey,
  mint,
  NOW_MILLISECONDS,
  NOW_SECONDS,
  type TestKey,
} from './helpers.js';

export interface TestResponse {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: unknown;
}

/**
 * The app each framework builds: GET /me (bearerAuth) answers `{ sub }`,
 * GET /orders needs scope `orders:read`, GET /admin needs scope `admin`.
 */
export interface TestApp {
  get(path: string, headers?: Record<string, string>): Promise<TestResponse>;
  close(): Promise<void>;
}

export const REALM = 'orders';

/** One suite, run against every framework's middleware. */
export function describeBearerMiddleware(
  framework: string,
  start: (verifier: Verifier) => Promise<TestApp>,
): void {
  describe(`${framework} bearer middleware`, () => {
    let key: TestKey;
    let app: TestApp;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    beforeAll(async () => {
      key = await makeKey('EdDSA');
      const revocation = createRevocationSet({ now: () => NOW_MILLISECONDS });
      revocation.revokeSession('session-revoked', NOW_SECONDS + 600);
      const verifier = createVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: { keys: [key.publicJwk] },
        revocation,
        now: () => NOW_MILLISECONDS,
      });
      app = await start(verifier);
    });
    afterAll(() => app.close());

    const expectProblem = (response: TestResponse, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(response.header('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status, code });
      expect(response.body).toHaveProperty('type');
      expect(response.body).toHaveProperty('title');
      expect(response.body).toHaveProperty('detail');
    };

    it('passes a valid token through and exposes the principal', async () => {
      const response = await app.get('/me', bearer(await mint(key)));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ sub: 'user-1', scope: ['orders:read'] });
    });

    it('answers a repeated token (a cache hit) the same way', async () => {
      const token = await mint(key);
      for (let round = 0; round < 3; round += 1) {
        const response = await app.get('/me', bearer(token));
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ sub: 'user-1', scope: ['orders:read'] });
      }
    });

    it('answers 401 with a bare realm challenge when no token is sent', async () => {
      const noBearer: Record<string, string>[] = [{}, { authorization: 'Basic dXNlcjpwYXNz' }];
      for (const headers of noBearer) {
        const response = await app.get('/me', headers);
        expectProblem(response, 401, 'missing_token');
        expect(response.header('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
      }
    });

    it('answers 401 invalid_token for a bad, expired or revoked token', async () => {
      const tokens = {
        invalid_token: 'not.a.token',
        token_expired: await mint(key, { exp: NOW_SECONDS - 60 }),
        token_revoked: await mint(key, { sid: 'session-revoked' }),
      };
      for (const [code, token] of Object.entries(tokens)) {
        const response = await app.get('/me', bearer(token));
        expectProblem(response, 401, code);
        expect(response.header('www-authenticate')).toBe(
          `Bearer realm="${REALM}", error="invalid_token"`,
        );
      }
    });

    it('lets a token with the required scope through', async () => {
      const response = await app.get('/orders', bearer(await mint(key)));
      expect(response.status).toBe(200);
    });

    it('answers 403 insufficient_scope naming the scope', async () => {
      const response = await app.get('/admin', bearer(await mint(key)));
      expectProblem(response, 403, 'insufficient_scope');
      expect(response.header('www-authenticate')).toBe(
        `Bearer realm="${REALM}", error="insufficient_scope", scope="admin"`,
      );
    });

    it('checks the token before the scope', async () => {
      const response = await app.get('/admin');
      expectProblem(response, 401, 'missing_token');
    });
  });
}

/** Adapts a fetch Response (Express over HTTP, Hono's app.request). */
export async function fromFetchResponse(response: Response): Promise<TestResponse> {
  const text = await response.text();
  return {
    status: response.status,
    header: (name) => response.headers.get(name) ?? undefined,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}
