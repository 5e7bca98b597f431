import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { default: string; types: string }>;
};

// Runs against dist/, which `npm test` builds first: what an installed package would load.
describe('the published entry points', () => {
  it('every export resolves to built code and types', async () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      const module = (await import(join(root, target.default))) as Record<string, unknown>;
      expect(Object.keys(module).length, subpath).toBeGreaterThan(0);
      expect(() => readFileSync(join(root, target.types)), subpath).not.toThrow();
    }
  });

  it('the root offers the core, the server, routes, guards, the engine and the errors', async () => {
    const gatehouse = (await import(join(root, pkg.exports['.']?.default ?? ''))) as Record<
      string,
      unknown
    >;
    for (const name of [
      'createCore',
      'startServer',
      'createGatehouse',
      'toNodeHandler',
      'toFetchHandler',
      'problemFor',
      'buildApp',
      'defineRoute',
      'requireAccess',
      'requirePermission',
      'loadSettings',
      'loadPolicy',
      'decide',
      'filter',
      'toKyselyWhere',
      'AuthError',
      'migrateToLatest',
    ]) {
      expect(typeof gatehouse[name], name).toBe('function');
    }
  });

  it('gatehouse/verify offers the verifier and the revocation set', async () => {
    const verify = (await import(join(root, pkg.exports['./verify']?.default ?? ''))) as Record<
      string,
      unknown
    >;
    expect(typeof verify.createVerifier).toBe('function');
    expect(typeof verify.createRevocationSet).toBe('function');
  });
});
