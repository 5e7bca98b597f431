import { createVerifier } from '@gatehouse/verify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  ISSUER,
  type JwksServer,
  makeKey,
  mint,
  NOW_MILLISECONDS,
  startJwksServer,
} from './helpers.js';

describe('remote JWKS', () => {
  let server: JwksServer | undefined;
  afterEach(() => server?.close());

  const verifierFor = (url: string, jwksCooldownSeconds: number) =>
    createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: url,
      jwksCooldownSeconds,
      now: () => NOW_MILLISECONDS,
    });

  it('fetches once and reuses the keys', async () => {
    const key = await makeKey('EdDSA');
    server = await startJwksServer([key.publicJwk]);
    const verifier = verifierFor(server.url, 30);
    await verifier.verify(await mint(key));
    await verifier.verify(await mint(key));
    expect(server.fetchCount()).toBe(1);
  });

  it('does not refetch for an unknown kid within the cooldown', async () => {
    const key = await makeKey('EdDSA');
    const rotated = await makeKey('EdDSA');
    server = await startJwksServer([key.publicJwk]);
    const verifier = verifierFor(server.url, 30);
    await verifier.verify(await mint(key));
    server.setKeys([key.publicJwk, rotated.publicJwk]);
    await expect(verifier.verify(await mint(rotated))).rejects.toMatchObject({
      code: 'invalid_token',
      reason: 'unknown_key',
    });
    expect(server.fetchCount()).toBe(1);
  });

  it('refetches on an unknown kid after the cooldown: a rotated-in key verifies', async () => {
    const key = await makeKey('ES256');
    const rotated = await makeKey('ES256');
    server = await startJwksServer([key.publicJwk]);
    const verifier = verifierFor(server.url, 0.05);
    await verifier.verify(await mint(key));
    server.setKeys([rotated.publicJwk, key.publicJwk]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await expect(verifier.verify(await mint(rotated))).resolves.toMatchObject({ sub: 'user-1' });
    await expect(verifier.verify(await mint(key))).resolves.toMatchObject({ sub: 'user-1' });
    expect(server.fetchCount()).toBe(2);
  });

  it('reports an unreachable JWKS as jwks_unavailable', async () => {
    const key = await makeKey('EdDSA');
    server = await startJwksServer([]);
    const url = server.url;
    await server.close();
    server = undefined;
    await expect(verifierFor(url, 30).verify(await mint(key))).rejects.toMatchObject({
      code: 'jwks_unavailable',
    });
  });
});
