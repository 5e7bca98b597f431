import { createRevocationSet, createVerifier } from '@gatehouse/verify';
import { importJWK, type JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, makeKey, mint, NOW_MILLISECONDS, NOW_SECONDS } from './helpers.js';

async function setup() {
  const key = await makeKey('EdDSA');
  let nowMilliseconds = NOW_MILLISECONDS;
  let keyLookups = 0;
  const jwks: JSONWebKeySet = { keys: [key.publicJwk] };
  const revocation = createRevocationSet({ now: () => nowMilliseconds });
  const verifier = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: async (header) => {
      keyLookups += 1;
      const match = jwks.keys.find((candidate) => candidate.kid === header.kid);
      if (match === undefined) throw new Error('no key');
      return importJWK(match, header.alg);
    },
    revocation,
    now: () => nowMilliseconds,
  });
  return {
    key,
    verifier,
    revocation,
    keyLookups: () => keyLookups,
    advanceSeconds: (seconds: number) => {
      nowMilliseconds += seconds * 1000;
    },
  };
}

describe('the verified-token cache', () => {
  it('serves a repeat token without verifying it again', async () => {
    const { key, verifier, keyLookups } = await setup();
    const token = await mint(key);
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(keyLookups()).toBe(1);
  });

  it('never serves a cached signature under another header or payload', async () => {
    const { key, verifier } = await setup();
    const token = await mint(key);
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString(
      'base64url',
    );
    const forged = `${header}.${forgedPayload}.${signature}`;
    expect(verifier.verifyCached(forged)).toBeUndefined();
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'invalid_token' });
    // The genuine token is still cached and still valid.
    expect(verifier.verifyCached(token)).toBeDefined();
  });

  it('honours exp on a hit (with the injected clock)', async () => {
    const { key, verifier, advanceSeconds } = await setup();
    const token = await mint(key, { exp: NOW_SECONDS + 60 });
    await verifier.verify(token);
    advanceSeconds(64);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    advanceSeconds(2);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('honours a session revoked after the token was cached', async () => {
    const { key, verifier, revocation } = await setup();
    const token = await mint(key);
    await verifier.verify(token);
    revocation.revokeSession('session-1', NOW_SECONDS + 600);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_revoked' });
  });

  it('honours a user banned after the token was cached', async () => {
    const { key, verifier, revocation } = await setup();
    const token = await mint(key);
    await verifier.verify(token);
    revocation.banUser('user-1', NOW_SECONDS, NOW_SECONDS + 3600);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_revoked' });
  });

  it('rejects revoked sids and banned subs on first sight too', async () => {
    const { key, verifier, revocation } = await setup();
    revocation.revokeSession('session-9', NOW_SECONDS + 600);
    revocation.banUser('user-9', NOW_SECONDS, NOW_SECONDS + 600);
    await expect(verifier.verify(await mint(key, { sid: 'session-9' }))).rejects.toMatchObject({
      code: 'token_revoked',
    });
    await expect(verifier.verify(await mint(key, { sub: 'user-9' }))).rejects.toMatchObject({
      code: 'token_revoked',
    });
  });

  it('does not cache a rejected token', async () => {
    const { key, verifier, keyLookups } = await setup();
    const token = await mint(key, { aud: 'api://other' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'invalid_token' });
    expect(keyLookups()).toBe(2);
  });

  it('verifyCached: undefined on a miss, the token on a hit, throws once expired', async () => {
    const { key, verifier, advanceSeconds } = await setup();
    const token = await mint(key, { exp: NOW_SECONDS + 60 });
    expect(verifier.verifyCached(token)).toBeUndefined();
    const verified = await verifier.verify(token);
    expect(verifier.verifyCached(token)).toBe(verified);
    advanceSeconds(120);
    expect(() => verifier.verifyCached(token)).toThrow(
      expect.objectContaining({ code: 'token_expired' }),
    );
    expect(verifier.verifyCached(token)).toBeUndefined();
  });
});
