import { createVerifier } from '@gatehouse/verify';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, makeKey, mint, NOW_MILLISECONDS } from './helpers.js';

describe('the verifier says once why a signed token’s iss or aud does not match', () => {
  it('logs each distinct mismatch once, never the token', async () => {
    const key = await makeKey('EdDSA');
    const lines: string[] = [];
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: { keys: [key.publicJwk] },
      now: () => NOW_MILLISECONDS,
      logger: { warn: (line) => lines.push(line) },
    });
    const wrongIssuer = await mint(key, { iss: 'http://localhost:8080' });
    const wrongAudience = await mint(key, { aud: 'gatehouse' });
    for (const token of [wrongIssuer, wrongIssuer, wrongAudience, wrongAudience]) {
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'invalid_token' });
    }
    expect(lines).toEqual([
      `gatehouse/verify: refused a token with iss "http://localhost:8080": the issuer configured is "${ISSUER}"`,
      `gatehouse/verify: refused a token with aud "gatehouse": the audience configured is "${AUDIENCE}"`,
    ]);
    for (const line of lines) {
      expect(line).not.toContain(wrongIssuer.split('.')[1]);
      expect(line).not.toContain(wrongAudience.split('.')[2]);
    }
  });

  it('logs nothing for a valid token or a bad signature, and nothing at all with logger: false', async () => {
    const key = await makeKey('EdDSA');
    const stranger = await makeKey('EdDSA', key.kid as ReturnType<typeof crypto.randomUUID>);
    const lines: string[] = [];
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: { keys: [key.publicJwk] },
      now: () => NOW_MILLISECONDS,
      logger: { warn: (line) => lines.push(line) },
    });
    await verifier.verify(await mint(key));
    await expect(verifier.verify(await mint(stranger, { iss: 'x' }))).rejects.toThrow();
    expect(lines).toEqual([]);
    const silent = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: { keys: [key.publicJwk] },
      now: () => NOW_MILLISECONDS,
      logger: false,
    });
    await expect(silent.verify(await mint(key, { iss: 'x' }))).rejects.toThrow();
  });

  it('refuses both revocation and revocations, and a revocations URL that is not http(s)', () => {
    const base = { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [] } };
    const revocations = {
      url: 'https://gatehouse.test/auth/revocations',
      credential: { apiKey: 'k' },
    };
    expect(() =>
      createVerifier({ ...base, revocations, revocation: { isRevoked: () => false } }),
    ).toThrow(TypeError);
    expect(() =>
      createVerifier({ ...base, revocations: { ...revocations, url: 'ftp://gatehouse.test/' } }),
    ).toThrow(TypeError);
    expect(() =>
      createVerifier({
        ...base,
        revocations: { ...revocations, credential: { username: 'a:b', password: 'x' } },
      }),
    ).toThrow(TypeError);
  });
});
