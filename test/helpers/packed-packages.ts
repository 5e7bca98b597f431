import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages');

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export interface PackedInstall {
  /** The app's folder: run `node` here to import the installed packages. */
  folder: string;
  /** Every package npm put under node_modules (from the lockfile), sorted. */
  installed(): string[];
  /** The files of an installed package, relative to its folder. */
  filesOf(name: string): string[];
  remove(): void;
}

/** The newest modification time of the files under a folder. */
const newestIn = (folder: string): number =>
  Math.max(
    ...readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs),
  );

/**
 * Refuses a package whose build is missing or older than its source. The package is not rebuilt
 * here: `npm test` builds every workspace first, and a rebuild in place while the suite runs
 * would rewrite files that other tests' processes are importing (a CLI run then failed on a
 * half-written module).
 */
function assertBuilt(dir: string): void {
  const built = (() => {
    try {
      return newestIn(join(dir, 'dist'));
    } catch {
      return Number.NEGATIVE_INFINITY;
    }
  })();
  if (built < newestIn(join(dir, 'src')))
    throw new Error(`${dir}: dist is missing or older than src; run \`npm run build\` first`);
}

/**
 * Packs workspace packages as built (what npm would publish) and installs the tarballs into an
 * empty app folder, as a user of them would: what they bring is what the lockfile lists.
 */
export function installPacked(workspaces: string[], appName: string): PackedInstall {
  const folder = mkdtempSync(join(tmpdir(), `gatehouse-${appName}-`));
  const tarballs = workspaces.map((workspace) => {
    const dir = join(PACKAGES, workspace);
    assertBuilt(dir);
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', folder], dir)) as {
      filename: string;
    }[];
    return `./${packed?.filename}`;
  });
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: appName, type: 'module' }));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], folder);
  return {
    folder,
    installed() {
      const lock = JSON.parse(readFileSync(join(folder, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, unknown>;
      };
      return Object.keys(lock.packages)
        .filter((path) => path.startsWith('node_modules/'))
        .map((path) => path.slice('node_modules/'.length))
        .sort();
    },
    filesOf: (name) =>
      readdirSync(join(folder, 'node_modules', name), { recursive: true }).map(String),
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}
