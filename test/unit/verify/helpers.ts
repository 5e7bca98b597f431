import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export const ISSUER = 'https://gatehouse.test';
export const AUDIENCE = 'api://orders';
/** The injected clock: a fixed instant, epoch milliseconds. */
export const NOW_MILLISECONDS = 1_800_000_000_000;
export const NOW_SECONDS = NOW_MILLISECONDS / 1000;

export interface TestKey {
  readonly kid: string;
  readonly alg: 'EdDSA' | 'ES256' | 'RS256';
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  readonly publicJwk: JWK;
}

export async function makeKey(
  alg: 'EdDSA' | 'ES256' | 'RS256',
  kid = randomUUID(),
): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export type Overrides = Record<string, unknown>;

/** Default claims of a valid token at NOW; an override of `undefined` removes the claim. */
export function claims(overrides: Overrides = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    sid: 'session-1',
    jti: randomUUID(),
    iat: NOW_SECONDS,
    nbf: NOW_SECONDS,
    exp: NOW_SECONDS + 600,
    roles: ['member'],
    scope: 'orders:read',
  };
  return dropUndefined({ ...base, ...overrides });
}

export async function mint(
  key: TestKey,
  claimOverrides: Overrides = {},
  headerOverrides: Overrides = {},
): Promise<string> {
  const header = dropUndefined({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...headerOverrides });
  return new SignJWT(claims(claimOverrides))
    .setProtectedHeader(header as { alg: string })
    .sign(key.privateKey);
}

/** Rewrites one segment of a compact JWS without re-signing it. */
export function tamper(
  token: string,
  segment: 0 | 1,
  edit: (json: Overrides) => Overrides,
): string {
  const parts = token.split('.');
  const decoded = JSON.parse(new TextDecoder().decode(base64url.decode(parts[segment] ?? '')));
  parts[segment] = encodeJson(edit(decoded as Overrides));
  return parts.join('.');
}

export const encodeJson = (value: unknown): string => base64url.encode(JSON.stringify(value));

function dropUndefined(record: Overrides): Overrides {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

export interface JwksServer {
  readonly url: string;
  readonly fetchCount: () => number;
  setKeys(keys: JWK[]): void;
  close(): Promise<void>;
}

/** Serves a JWKS from a real local HTTP server on a random port. */
export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  let current = keys;
  let fetches = 0;
  const server = createServer((_request, response) => {
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: current }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetchCount: () => fetches,
    setKeys: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  };
}
