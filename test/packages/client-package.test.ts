import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiErrorCode } from '@gatehouse/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { ErrorCode } from '../../src/errors.js';
import { bundleWithClient } from '../browser/client-app.js';
import { installPacked, type PackedInstall } from '../helpers/packed-packages.js';

/**
 * @gatehouse/client brings @simplewebauthn/browser and nothing else, and an app
 * that imports only `createClient` bundles none of the passkey code.
 */

/** Text that only @simplewebauthn/browser's ceremonies contain. */
const WEBAUTHN_CODE = 'navigator.credentials';

describe('@gatehouse/client bundled by an app', () => {
  it('createClient alone: only the package’s own files, no WebAuthn code', async () => {
    const bundle = await bundleWithClient(
      "import { createClient } from '@gatehouse/client'; console.log(createClient);",
      { minify: true },
    );
    expect(bundle.inputs.filter((input) => !input.startsWith('packages/client/src/'))).toEqual([
      'app.ts',
    ]);
    expect(bundle.inputs).toContain('packages/client/src/client.ts');
    expect(bundle.inputs).not.toContain('packages/client/src/passkeys.ts');
    expect(bundle.code).not.toContain(WEBAUTHN_CODE);
  });

  it('the passkey helpers: their code is there, from @simplewebauthn/browser only', async () => {
    const bundle = await bundleWithClient(
      "import { registerPasskey } from '@gatehouse/client'; console.log(registerPasskey);",
      { minify: true },
    );
    expect(bundle.code).toContain(WEBAUTHN_CODE);
    expect(bundle.inputs).toContain('packages/client/src/passkeys.ts');
    const outside = bundle.inputs.filter(
      (input) => input !== 'app.ts' && !input.startsWith('packages/client/src/'),
    );
    expect(outside.length).toBeGreaterThan(0);
    // node_modules may be a link to another checkout's: the package's path is what matters.
    expect(
      outside.filter((input) => !input.includes('node_modules/@simplewebauthn/browser/')),
    ).toEqual([]);
  });
});

describe('@gatehouse/client installed on its own', () => {
  let app: PackedInstall;

  beforeAll(() => {
    app = installPacked(['client'], 'single-page-app');
  }, 120_000);

  afterAll(() => app.remove());

  it('brings @simplewebauthn/browser and nothing else', () => {
    expect(app.installed()).toEqual(['@gatehouse/client', '@simplewebauthn/browser']);
  });

  it('ships ES modules with their types, marked free of side effects, and no sources', () => {
    const root = join(app.folder, 'node_modules/@gatehouse/client');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({ type: 'module', sideEffects: false });
    const files = readdirSync(root, { recursive: true }).map(String);
    expect(files).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/passkeys.js']),
    );
    expect(files.filter((file) => file.startsWith('src'))).toEqual([]);
  });
});

describe('@gatehouse/client error codes', () => {
  it('are the server’s problem codes and gatehouse/verify’s', () => {
    expectTypeOf<ApiErrorCode>().toEqualTypeOf<
      ErrorCode | 'invalid_token' | 'insufficient_scope'
    >();
  });
});
