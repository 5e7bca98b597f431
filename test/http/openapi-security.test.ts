import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import {
  concretePath,
  type DocumentedOperation,
  fetchOpenApi,
  operationsOf,
} from '../helpers/openapi.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type TokenUser, tokenUser } from '../helpers/tokens.js';

let server: TestServer;
let operations: DocumentedOperation[];
beforeAll(async () => {
  server = await startTestServer();
  operations = operationsOf(await fetchOpenApi(server.url));
});
afterAll(async () => server.stop());

const schemesOf = ({ operation }: DocumentedOperation): string[] =>
  (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));

/** A signed-in user and each credential of the security schemes, as a request carries it. */
async function caller(): Promise<{
  owner: TokenUser;
  credentials: Record<string, Record<string, string>>;
}> {
  const owner = await tokenUser(server);
  const created = await owner.client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
    name: 'openapi',
  });
  if (created.status !== 201) throw new Error(`api key: ${created.status} ${created.text}`);
  const key = created.body.apiKey.key;
  return {
    owner,
    credentials: {
      bearerToken: { authorization: `Bearer ${owner.accessToken}` },
      apiKey: { 'x-api-key': key },
      basic: { authorization: `Basic ${Buffer.from(`apikey:${key}`).toString('base64')}` },
    },
  };
}

/**
 * The guard answers in onRequest, before the body or the path is validated,
 * so a bare call says whether the route takes this credential: 403
 * `forbidden` from the guard when it does not.
 */
async function guardAnswer(op: DocumentedOperation, headers: Record<string, string>) {
  const response = await new Client(server.url).request(op.method, concretePath(op.path), {
    headers,
  });
  return { status: response.status, code: response.body?.code };
}

describe('GET /openapi.json: each operation’s security is what its guard accepts', () => {
  it('has a protected operation of every kind to check', () => {
    const kinds = new Set(operations.map((op) => schemesOf(op).join(' ')));
    expect(kinds).toEqual(
      new Set([
        '',
        'sessionCookie',
        'sessionCookie bearerToken',
        'sessionCookie bearerToken apiKey basic',
      ]),
    );
  });

  it('refuses with 403 every credential an operation does not list, and takes every one it lists', async () => {
    const shared = await caller();
    for (const op of operations) {
      const schemes = schemesOf(op);
      if (schemes.length === 0) continue;
      // An unsafe call may end the caller's session (logout): each gets a caller of its own.
      const { credentials } = op.method === 'GET' ? shared : await caller();
      for (const [scheme, headers] of Object.entries(credentials)) {
        const label = `${op.method} ${op.path} with ${scheme}`;
        const answer = await guardAnswer(op, headers);
        if (!schemes.includes(scheme)) {
          expect(answer, label).toEqual({ status: 403, code: 'forbidden' });
          continue;
        }
        // Listed: the caller is known (never 401 unauthenticated) and, but on a permission
        // this user lacks, the credential is not refused.
        expect(answer.code, label).not.toBe('unauthenticated');
        if (typeof op.operation['x-access'] !== 'object')
          expect(answer.code, label).not.toBe('forbidden');
      }
    }
  });

  it('takes the session cookie wherever an operation lists it', async () => {
    const { owner } = await caller();
    for (const op of operations.filter((o) => o.method === 'GET')) {
      if (!schemesOf(op).includes('sessionCookie')) continue;
      const response = await owner.client.get(concretePath(op.path));
      expect(response.body?.code, `${op.method} ${op.path}`).not.toBe('unauthenticated');
    }
  });

  it('answers every public operation without any credential (no 401 from the guard)', async () => {
    for (const op of operations) {
      if (schemesOf(op).length > 0) continue;
      const answer = await guardAnswer(op, {});
      expect(answer.code, `${op.method} ${op.path}`).not.toBe('unauthenticated');
    }
  });
});
