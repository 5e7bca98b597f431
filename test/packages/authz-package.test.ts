import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPacked, type PackedInstall } from '../helpers/packed-packages.js';

/**
 * An app or a resource server installs the policy engine alone: the packed
 * @gatehouse/authz (what npm would publish) goes into an empty folder, and it
 * brings yaml and nothing else: no server, no database driver, no native build.
 */
const POLICY = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples/policy.yaml');

describe('@gatehouse/authz installed on its own', () => {
  let app: PackedInstall;

  beforeAll(() => {
    app = installPacked(['authz'], 'policy-app');
  }, 120_000);

  afterAll(() => app.remove());

  it('brings yaml and nothing else', () => {
    expect(app.installed()).toEqual(['@gatehouse/authz', 'yaml']);
  });

  it('ships compiled JavaScript with its types, and no sources or tests', () => {
    const files = app.filesOf('@gatehouse/authz');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files.filter((file) => String(file).startsWith('src'))).toEqual([]);
  });

  it('loads a policy file and decides from plain Node.js, and refuses a bad policy', () => {
    const script = `
      import { decide, decidePermission, loadPolicy, parsePolicy, PolicyError } from '@gatehouse/authz';
      const policy = await loadPolicy(process.argv[1]);
      const editor = { userId: 'u1', roles: ['editor'], attributes: {} };
      const now = { now: new Date('2030-01-07T10:00:00Z') };
      console.log(decidePermission(policy, editor, 'posts:read', now).reason);
      console.log(decidePermission(policy, editor, 'posts:delete', now).reason);
      const own = { type: 'orders', id: 'o1', ownerId: 'u1', attributes: { total: 5 } };
      console.log(decide(policy, editor, 'orders:read', own, now).reason);
      try { parsePolicy('version: 1\\nresources: {}\\nroles:\\n  a:\\n    permissions: [x:y]\\n', 'p.yaml'); }
      catch (error) { console.log(error instanceof PolicyError, error.code, error.line); }
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, POLICY], {
      cwd: app.folder,
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual([
      'role:editor',
      'default_deny',
      'rule:read-own-orders',
      'true invalid_policy 5',
    ]);
  });
});

/**
 * A resource server installs both packages: @gatehouse/verify's requirePermission takes the policy
 * @gatehouse/authz loads, compiled JavaScript to compiled JavaScript, and neither pulls the other.
 */
describe('@gatehouse/verify with a policy @gatehouse/authz loaded, both installed from tarballs', () => {
  let app: PackedInstall;

  beforeAll(() => {
    app = installPacked(['authz', 'verify'], 'resource-server');
  }, 120_000);

  afterAll(() => app.remove());

  it('answers permissions from verified tokens with the loaded policy', () => {
    const script = `
      import { SignJWT, exportJWK, generateKeyPair } from 'jose';
      import { loadPolicy } from '@gatehouse/authz';
      import { createVerifier, permissionCheck, roleCheck } from '@gatehouse/verify';
      const policy = await loadPolicy(process.argv[1]);
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
      const verifier = createVerifier({ issuer: 'https://id.example', audience: 'api', jwks: { keys: [jwk] } });
      const token = (roles) => new SignJWT({ sid: 's1', roles })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
        .setIssuer('https://id.example').setAudience('api').setSubject('u1')
        .setJti(crypto.randomUUID()).setIssuedAt().setExpirationTime('5m').sign(privateKey);
      const answer = (check, verified) => { try { check(verified); return 'ok'; } catch (e) { return e.code; } };
      const viewer = await verifier.verify(await token(['viewer']));
      const admin = await verifier.verify(await token(['admin']));
      const read = permissionCheck('posts:read', policy);
      const remove = permissionCheck('posts:delete', policy);
      console.log(answer(read, viewer), answer(remove, viewer), answer(remove, admin));
      console.log(answer(roleCheck('editor', policy), admin), answer(roleCheck('editor', policy), viewer));
      try { permissionCheck('posts:publish', policy); } catch (e) { console.log(e.name); }
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, POLICY], {
      cwd: app.folder,
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual(['ok forbidden ok', 'ok forbidden', 'TypeError']);
    const lock = JSON.parse(readFileSync(join(app.folder, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dependencies?: Record<string, string> }>;
    };
    expect(
      Object.keys(lock.packages['node_modules/@gatehouse/verify']?.dependencies ?? {}),
    ).toEqual(['jose']);
  });
});
