import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Builds and packs workspace packages (what npm would publish) and installs the tarballs into an
 * empty app folder, as a user of them would: what they bring is what the lockfile lists.
 */
export function installPacked(workspaces: string[], appName: string): PackedInstall {
  const folder = mkdtempSync(join(tmpdir(), `gatehouse-${appName}-`));
  const tarballs = workspaces.map((workspace) => {
    const dir = join(PACKAGES, workspace);
    npm(['run', 'build'], dir);
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
