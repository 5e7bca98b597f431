import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A file of the viewer, by the name it is served under. */
export interface DocsAsset {
  type: string;
  body: Buffer;
}

/** Where the page finds the viewer's files (relative, so a mount under a path prefix still works). */
export interface DocsAssetNames {
  stylesheet: string;
  script: string;
  icon: string;
}

const require = createRequire(import.meta.url);

/** The only files of swagger-ui-dist we serve: its stylesheet, its bundle (no standalone preset) and an icon. */
const FILES = {
  stylesheet: { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  script: { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  icon: { file: 'favicon-32x32.png', type: 'image/png' },
} as const;

/** `swagger-ui-bundle.js` becomes `swagger-ui-bundle-<hash>.js`: the same name is always the same bytes. */
const hashedName = (file: string, body: Buffer): string => {
  const dot = file.lastIndexOf('.');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return `${file.slice(0, dot)}-${hash}${file.slice(dot)}`;
};

/** Reads the viewer's files from the installed swagger-ui-dist once, at start-up. */
export function loadDocsAssets(): { names: DocsAssetNames; files: Map<string, DocsAsset> } {
  const root = dirname(require.resolve('swagger-ui-dist/package.json'));
  const files = new Map<string, DocsAsset>();
  const names = {} as Record<keyof typeof FILES, string>;
  for (const [role, { file, type }] of Object.entries(FILES) as [
    keyof typeof FILES,
    (typeof FILES)[keyof typeof FILES],
  ][]) {
    const body = readFileSync(join(root, file));
    const name = hashedName(file, body);
    files.set(name, { type, body });
    names[role] = `docs/assets/${name}`;
  }
  return { names, files };
}
