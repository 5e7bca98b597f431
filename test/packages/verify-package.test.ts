import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPacked, type PackedInstall } from '../helpers/packed-packages.js';

/**
 * A resource server installs @gatehouse/verify alone: the packed package (what npm would publish)
 * goes into an empty folder, and what it brings is jose and nothing else: no SQLite, PostgreSQL,
 * Redis, argon2 or a C++ build.
 */
describe('@gatehouse/verify installed on its own', () => {
  let app: PackedInstall;

  beforeAll(() => {
    app = installPacked(['verify'], 'resource-server');
  }, 120_000);

  afterAll(() => app.remove());

  it('brings jose and nothing else', () => {
    expect(app.installed()).toEqual(['@gatehouse/verify', 'jose']);
    expect(readdirSync(join(app.folder, 'node_modules')).sort()).toEqual([
      '.package-lock.json',
      '@gatehouse',
      'jose',
    ]);
  });

  it('ships compiled JavaScript with its types, and no sources or tests', () => {
    const files = app.filesOf('@gatehouse/verify');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files.filter((file) => String(file).startsWith('src'))).toEqual([]);
  });

  it('loads and verifies from plain Node.js, every entry point', () => {
    const script = `
      import { SignJWT, exportJWK, generateKeyPair } from 'jose';
      const verify = await import('@gatehouse/verify');
      for (const entry of ['fastify', 'express', 'hono']) await import('@gatehouse/verify/' + entry);
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
      const verifier = verify.createVerifier({ issuer: 'https://id.example', audience: 'api', jwks: { keys: [jwk] } });
      const token = await new SignJWT({ sid: 's1', scope: 'posts:read' })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
        .setIssuer('https://id.example').setAudience('api').setSubject('u1')
        .setJti('j1').setIssuedAt().setExpirationTime('5m').sign(privateKey);
      console.log((await verifier.verify(token)).sub);
      try { await verifier.verify(token.slice(0, -4)); } catch (error) { console.log(error.code + ':' + error.reason); }
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: app.folder,
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual(['u1', 'invalid_token:bad_signature']);
  });
});
