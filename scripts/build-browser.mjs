// Bundles the pages' browser scripts (browser/*.ts, with @simplewebauthn/browser) into
// dist/browser/<name>-<hash>.js and a manifest the server reads at start-up. Served by
// Gatehouse itself: no CDN, and the hash in the name lets browsers cache them forever.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'browser');

/** `clean`: remove earlier builds first (the build command); tests build over them, so parallel runs never race. */
export async function buildBrowserScripts({ clean = false } = {}) {
  const entryPoints = readdirSync(join(root, 'browser'))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.startsWith('_'))
    .map((name) => join(root, 'browser', name));
  if (clean) rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints,
    outdir,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    entryNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const manifest = {};
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint) manifest[basename(meta.entryPoint, '.ts')] = basename(output);
  }
  // Written whole and renamed, so a server starting meanwhile reads the old manifest or the new one.
  const temporary = join(outdir, `manifest.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(temporary, join(outdir, 'manifest.json'));
  return manifest;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBrowserScripts({ clean: true });
