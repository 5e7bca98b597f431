/**
 * Machines at the OpenID Provider: the client credentials grant, seen from
 * openid-client. With a resource indicator the token is an RFC 9068 JWT for
 * that API; without one it is opaque (introspection only).
 */
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/provider/clients.js';
import {
  API,
  API_SCOPES,
  machineParty,
  oauthErrorOf,
  relyingParty,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    realClock: true,
    reachableIssuer: true,
    settings: { provider: { resourceServers: [{ audience: API, scopes: API_SCOPES }] } },
  });
});
afterAll(() => server.stop());

describe('client credentials', () => {
  it('with a resource: an RFC 9068 JWT for that API, the machine as its subject', async () => {
    const machine = await machineParty(server);
    const tokens = await oidc.clientCredentialsGrant(machine.config, {
      scope: 'posts:read',
      resource: API,
    });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({
      typ: 'at+jwt',
      alg: 'EdDSA',
    });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      iss: server.core.issuer,
      aud: API,
      sub: machine.clientId,
      client_id: machine.clientId,
      scope: 'posts:read',
    });
    // A machine has no user, no session, no roles.
    expect(claims).not.toHaveProperty('sid');
    expect(claims).not.toHaveProperty('roles');
  });

  it('the scope is what both the client and the API allow', async () => {
    // Registered for posts:read only: posts:write is not the client's to ask for.
    const reader = await machineParty(server, 'posts:read');
    await expect(
      oidc
        .clientCredentialsGrant(reader.config, { scope: 'posts:read posts:write', resource: API })
        .catch(oauthErrorOf),
    ).resolves.toBe('invalid_scope');
    // Registered for an OpenID scope and both API scopes: the API's token carries only the API's.
    const wide = await machineParty(server, 'email posts:read posts:write');
    const tokens = await oidc.clientCredentialsGrant(wide.config, {
      scope: 'email posts:read posts:write',
      resource: API,
    });
    expect(decodeJwt(tokens.access_token).scope).toBe('posts:read posts:write');
  });

  it('a client registered for a scope nobody knows is refused at creation', async () => {
    await expect(machineParty(server, 'posts:read reports:read')).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('an API the provider does not know → invalid_target', async () => {
    const machine = await machineParty(server);
    await expect(
      oidc
        .clientCredentialsGrant(machine.config, {
          scope: 'posts:read',
          resource: 'https://other.example',
        })
        .catch(oauthErrorOf),
    ).resolves.toBe('invalid_target');
  });

  it('without a resource: an opaque token, active at introspection', async () => {
    const machine = await machineParty(server);
    const tokens = await oidc.clientCredentialsGrant(machine.config, { scope: 'posts:read' });
    expect(tokens.access_token.split('.')).toHaveLength(1);
    const introspection = await oidc.tokenIntrospection(machine.config, tokens.access_token);
    expect(introspection).toMatchObject({
      active: true,
      client_id: machine.clientId,
      scope: 'posts:read',
    });
  });

  it('a client not registered for client credentials → unauthorized_client', async () => {
    const app = await relyingParty(server);
    await expect(
      oidc
        .clientCredentialsGrant(app.config, { scope: 'posts:read', resource: API })
        .catch(oauthErrorOf),
    ).resolves.toBe('unauthorized_client');
  });

  it('a machine client is registered with the scopes it may ask for, never "any"', async () => {
    await expect(
      createClient(server.core, {
        name: 'Unscoped Machine',
        grants: ['client_credentials'],
        redirectUris: [],
      }),
    ).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/--scope/) });
  });

  it('a public client cannot be registered for client credentials', async () => {
    await expect(
      createClient(server.core, {
        name: 'Public Machine',
        public: true,
        grants: ['client_credentials'],
        redirectUris: [],
      }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('a wrong secret → invalid_client', async () => {
    const machine = await machineParty(server);
    const impostor = new oidc.Configuration(
      machine.config.serverMetadata(),
      machine.clientId,
      undefined,
      oidc.ClientSecretBasic('not-the-secret'),
    );
    oidc.allowInsecureRequests(impostor);
    await expect(
      oidc
        .clientCredentialsGrant(impostor, { scope: 'posts:read', resource: API })
        .catch(oauthErrorOf),
    ).resolves.toBe('invalid_client');
  });
});

describe('private_key_jwt', () => {
  /** A machine that authenticates with a key pair: Gatehouse keeps only the public key. */
  async function keyedMachine(alg: 'ES256' | 'EdDSA') {
    const pair = await generateKeyPair(alg, { extractable: true });
    const publicJwk = { ...(await exportJWK(pair.publicKey)), alg, use: 'sig', kid: `k-${alg}` };
    const machine = await relyingParty(
      server,
      {
        name: 'Keyed Machine',
        grants: ['client_credentials'],
        redirectUris: [],
        postLogoutRedirectUris: [],
        scope: 'posts:read',
        jwks: { keys: [publicJwk] },
      },
      oidc.PrivateKeyJwt({ key: pair.privateKey, kid: publicJwk.kid }),
    );
    return { machine, publicJwk };
  }

  it('a client registered with a public key gets no secret, and signs its way to a token', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const { machine } = await keyedMachine(alg);
      expect(machine.clientSecret).toBeUndefined();
      const tokens = await oidc.clientCredentialsGrant(machine.config, {
        scope: 'posts:read',
        resource: API,
      });
      expect(decodeJwt(tokens.access_token)).toMatchObject({
        sub: machine.clientId,
        client_id: machine.clientId,
        scope: 'posts:read',
      });
    }
  });

  it('an assertion signed with another key → invalid_client', async () => {
    const { machine, publicJwk } = await keyedMachine('ES256');
    const stranger = await generateKeyPair('ES256');
    const impostor = new oidc.Configuration(
      machine.config.serverMetadata(),
      machine.clientId,
      undefined,
      // The registered kid, so the provider tries the registered key and it does not verify.
      oidc.PrivateKeyJwt({ key: stranger.privateKey, kid: publicJwk.kid }),
    );
    oidc.allowInsecureRequests(impostor);
    await expect(
      oidc
        .clientCredentialsGrant(impostor, { scope: 'posts:read', resource: API })
        .catch(oauthErrorOf),
    ).resolves.toBe('invalid_client');
    // Nor does a secret work for it: it has none.
    const withSecret = new oidc.Configuration(
      machine.config.serverMetadata(),
      machine.clientId,
      undefined,
      oidc.ClientSecretBasic('guess'),
    );
    oidc.allowInsecureRequests(withSecret);
    await expect(
      oidc
        .clientCredentialsGrant(withSecret, { scope: 'posts:read', resource: API })
        .catch(oauthErrorOf),
    ).resolves.toBe('invalid_client');
  });
});
