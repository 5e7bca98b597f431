import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A resource server installs @gatehouse/verify alone: the packed package (what npm would publish)
 * goes into an empty folder, and what it brings is jose and nothing else: no SQLite, PostgreSQL,
 * Redis, argon2 or a C++ build.
 */
const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/verify');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('@gatehouse/verify installed on its own', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'gatehouse-verify-'));
    npm(['run', 'build'], PACKAGE);
    const [tarball] = JSON.parse(
      npm(['pack', '--json', '--pack-destination', folder], PACKAGE),
    ) as { filename: string }[];
    writeFileSync(join(folder, 'package.json'), '{ "name": "resource-server", "type": "module" }');
    npm(
      ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball?.filename}`],
      folder,
    );
  }, 120_000);

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('brings jose and nothing else', () => {
    const lock = JSON.parse(readFileSync(join(folder, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    const installed = Object.keys(lock.packages)
      .filter((path) => path.startsWith('node_modules/'))
      .map((path) => path.slice('node_modules/'.length))
      .sort();
    expect(installed).toEqual(['@gatehouse/verify', 'jose']);
    expect(readdirSync(join(folder, 'node_modules')).sort()).toEqual([
      '.package-lock.json',
      '@gatehouse',
      'jose',
    ]);
  });

  it('ships compiled JavaScript with its types, and no sources or tests', () => {
    const files = readdirSync(join(folder, 'node_modules/@gatehouse/verify'), { recursive: true });
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
      cwd: folder,
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual(['u1', 'invalid_token:bad_signature']);
  });
});
