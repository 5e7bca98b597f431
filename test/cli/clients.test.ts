/**
 * `gatehouse clients` as an operator runs it: a separate process on a data
 * dir, then a `gatehouse serve` on the same dir that the printed secrets
 * must (or must no longer) open.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCliServer } from '../helpers/cli-server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-clients-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const clients = (...args: string[]) => runCli(['clients', ...args, '--data-dir', dataDir], {});

// oidc-provider warns on stderr when it is loaded on Node.js 20: not ours to count.
const ownStderr = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('oidc-provider WARNING'))
    .join('\n');

interface Summary {
  clientId: string;
  name: string;
  public: boolean;
  trusted: boolean;
  redirectUris: string[];
  grants: string[];
}

async function listed(): Promise<Summary[]> {
  const run = await clients('list');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Summary[];
}

/** Asks a running Gatehouse for a client-credentials token with this client id and secret. */
async function tokenStatus(url: string, clientId: string, secret: string): Promise<number> {
  const response = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  return response.status;
}

describe('gatehouse clients', () => {
  it('creates a web app (secret printed once, kept only as a hash), lists it without it, deletes it', async () => {
    const created = await clients(
      'create',
      '--name',
      'Billing',
      '--redirect-uri',
      'https://billing.example/callback',
      '--redirect-uri',
      'http://localhost:3001/callback',
      '--post-logout-redirect-uri',
      'https://billing.example/',
      '--scope',
      'openid email roles',
      '--trusted',
    );
    expect(created.code, created.stderr).toBe(0);
    const { client_id, client_secret } = JSON.parse(created.stdout) as {
      client_id: string;
      client_secret: string;
    };
    expect(client_id).toMatch(/^client_/);
    expect(client_secret.length).toBeGreaterThanOrEqual(32);

    const app = (await listed()).find((c) => c.clientId === client_id);
    expect(app).toMatchObject({
      name: 'Billing',
      public: false,
      trusted: true,
      redirectUris: ['https://billing.example/callback', 'http://localhost:3001/callback'],
      grants: ['authorization_code', 'refresh_token'],
    });
    const list = await clients('list');
    expect(list.stdout).not.toContain(client_secret);
    expect(list.stdout).not.toMatch(/"client_secret"|"secret_?hash"|"secret"/i);
    for (const file of readdirSync(dataDir).filter((f) => f.startsWith('gatehouse.sqlite')))
      expect(readFileSync(join(dataDir, file)).includes(Buffer.from(client_secret))).toBe(false);

    const deleted = await clients('delete', '--id', client_id);
    expect(deleted.code).toBe(0);
    expect((await listed()).map((c) => c.clientId)).not.toContain(client_id);
    const again = await clients('delete', '--id', client_id);
    expect(again.code).toBe(1);
    expect(ownStderr(again.stderr)).toMatch(/^gatehouse: not_found: /);
  });

  it('creates a public app and a private_key_jwt app without a secret', async () => {
    const spa = await clients(
      'create',
      '--name',
      'SPA',
      '--public',
      '--redirect-uri',
      'http://127.0.0.1:5173/callback',
    );
    expect(spa.code, spa.stderr).toBe(0);
    const spaId = (JSON.parse(spa.stdout) as { client_id: string }).client_id;
    expect(Object.keys(JSON.parse(spa.stdout) as object)).toEqual(['client_id']);

    const jwksFile = join(dataDir, 'jwks.json');
    writeFileSync(
      jwksFile,
      JSON.stringify({
        keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }],
      }),
    );
    const signer = await clients(
      'create',
      '--name',
      'Batch job',
      '--grant',
      'client_credentials',
      '--scope',
      'roles',
      '--jwks-file',
      jwksFile,
    );
    expect(signer.code, signer.stderr).toBe(0);
    expect(Object.keys(JSON.parse(signer.stdout) as object)).toEqual(['client_id']);
    expect((await listed()).find((c) => c.clientId === spaId)).toMatchObject({ public: true });
  });

  it('refuses bad input with exit code 2 and one line, and registers nothing', async () => {
    const before = (await listed()).length;
    const privateJwks = join(dataDir, 'private.json');
    writeFileSync(
      privateJwks,
      JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'AA', d: 'BB' }] }),
    );
    const cases: Array<[string[], RegExp]> = [
      [['create', '--redirect-uri', 'https://a.example/cb'], /--name is required/],
      [['create', '--name', 'A', '--redirect-uri', 'http://a.example/cb'], /must use https/],
      [
        ['create', '--name', 'A', '--redirect-uri', 'https://a.example/cb', '--grant', 'password'],
        /--grant password: use authorization_code, refresh_token, client_credentials/,
      ],
      [
        ['create', '--name', 'A', '--grant', 'client_credentials', '--jwks-file', privateJwks],
        /private or symmetric key/,
      ],
      [['create', '--name', 'A', '--grant', 'client_credentials'], /--scope/],
      [
        ['create', '--name', 'A', '--grant', 'client_credentials', '--jwks-file', '/nope.json'],
        /cannot be read/,
      ],
      [
        [
          'create',
          '--name',
          'A',
          '--redirect-uri',
          'https://a.example/cb',
          '--scope',
          'openid nope',
        ],
        /Unknown scope: nope/,
      ],
      [
        [
          'create',
          '--name',
          'A',
          '--redirect-uri',
          'https://a.example/cb',
          '--id-token-signing-alg',
          'RS256',
        ],
        /No signing key for RS256/,
      ],
      [['delete'], /--id is required/],
      [['rename', '--id', 'x'], /clients takes create, list, delete or rotate-secret/],
    ];
    for (const [args, message] of cases) {
      const run = await clients(...args);
      expect(run.code, args.join(' ')).toBe(2);
      const stderr = ownStderr(run.stderr);
      expect(stderr.split('\n'), args.join(' ')).toHaveLength(1);
      expect(stderr, args.join(' ')).toMatch(/^gatehouse: invalid_request: /);
      expect(stderr, args.join(' ')).toMatch(message);
      expect(run.stdout).toBe('');
    }
    expect(await listed()).toHaveLength(before);
  }, 90_000); // one process per case, each loading the whole CLI

  it('rotates a secret: the printed one opens the token endpoint, the old one no longer does', async () => {
    const created = await clients(
      'create',
      '--name',
      'Worker',
      '--grant',
      'client_credentials',
      '--scope',
      'roles',
    );
    expect(created.code, created.stderr).toBe(0);
    const { client_id, client_secret: first } = JSON.parse(created.stdout) as {
      client_id: string;
      client_secret: string;
    };
    const server = await startCliServer({}, ['--data-dir', dataDir]);
    try {
      expect(await tokenStatus(server.url, client_id, first)).toBe(200);
      const rotated = await clients('rotate-secret', '--id', client_id);
      expect(rotated.code, rotated.stderr).toBe(0);
      const { client_secret: second } = JSON.parse(rotated.stdout) as { client_secret: string };
      expect(second).not.toBe(first);
      expect(await tokenStatus(server.url, client_id, first)).toBe(401);
      expect(await tokenStatus(server.url, client_id, second)).toBe(200);
    } finally {
      await server.stop();
    }
    const spa = (await listed()).find((c) => c.public);
    const refused = await clients('rotate-secret', '--id', spa?.clientId ?? '');
    expect(refused.code).toBe(1);
    expect(ownStderr(refused.stderr)).toMatch(/^gatehouse: conflict: This client has no secret/);
  });
});
