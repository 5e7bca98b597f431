import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Settings } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';

/** Where pages find their stylesheet and scripts: each name carries its content's hash, so it is cached forever. */
export interface PageAssets {
  stylesheet: string;
  scripts: Readonly<Record<string, string>>;
}

export interface ServedAsset {
  type: string;
  body: Buffer;
}

const root = new URL('../../../', import.meta.url);
const STYLESHEET = new URL('assets/pages/style.css', root);
/** Written by `npm run build` (scripts/build-browser.mjs) from browser/. */
const BUNDLE_MANIFEST = new URL('dist/browser/manifest.json', root);

const hashed = (name: string, extension: string, body: Buffer) =>
  `${name}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${extension}`;

/** The accent colour is a setting, so the stylesheet is finished (and hashed) at start-up, never inline. */
function stylesheet(branding: Settings['branding']): Buffer {
  const base = readFileSync(STYLESHEET, 'utf8');
  return Buffer.from(`:root { --accent: ${branding.accentColor}; }\n${base}`);
}

function bundles(): Map<string, string> {
  if (!existsSync(BUNDLE_MANIFEST)) {
    throw new ConfigError(
      'pages',
      'the browser scripts are not built (dist/browser/manifest.json is missing): run `npm run build`',
    );
  }
  const manifest = JSON.parse(readFileSync(BUNDLE_MANIFEST, 'utf8')) as Record<string, string>;
  return new Map(Object.entries(manifest));
}

/** Loads every asset once; a missing one stops start-up, not a page view. */
export function loadPageAssets(settings: Settings): {
  assets: PageAssets;
  files: Map<string, ServedAsset>;
} {
  const files = new Map<string, ServedAsset>();
  const css = stylesheet(settings.branding);
  const cssName = hashed('style', 'css', css);
  files.set(cssName, { type: 'text/css; charset=utf-8', body: css });
  const scripts: Record<string, string> = {};
  for (const [entry, fileName] of bundles()) {
    const body = readFileSync(new URL(`dist/browser/${fileName}`, root));
    files.set(fileName, { type: 'text/javascript; charset=utf-8', body });
    scripts[entry] = `/assets/${fileName}`;
  }
  return { assets: { stylesheet: `/assets/${cssName}`, scripts }, files };
}
