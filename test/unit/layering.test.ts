import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction of ../shared/DESIGN.md, enforced on every import in src/:
 * http → provider → authn → authz → store/crypto/cache/mail/sms → config/errors, with principal.ts at the
 * bottom. core.ts is the composition root: the layers above it may name its type only.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** A file's area: its top folder under src/, or its own name for files at the root. */
const areaOf = (file: string): string => {
  const [first = '', second] = relative(SRC, file).split('/');
  return second === undefined ? first.replace(/\.ts$/, '') : first;
};

/**
 * Lower rank = lower layer. A file may import its own area and anything of a lower rank; the
 * rank-0 basics (clock, errors, logger, principal) may also import one another.
 */
const RANK: Record<string, number> = {
  principal: 0,
  errors: 0,
  clock: 0,
  logger: 0,
  background: 0,
  'connection-errors': 0,
  'connection-log': 0,
  'log-failure': 0,
  'json-lines-outbox': 0,
  version: 0,
  /** The Prometheus registry and counters of a core: prom-client only, fed by every layer. */
  metrics: 0,
  config: 1,
  crypto: 2,
  store: 2,
  cache: 2,
  mail: 2,
  sms: 2,
  /** Events for the app (webhooks, in-process hooks): over the store they write, under authn's audit(). */
  webhooks: 2.5,
  authz: 3,
  authn: 4,
  core: 5,
  /** Gatehouse as an OpenID Provider: oidc-provider glue over authn, below the HTTP layer. */
  provider: 5.5,
  http: 6,
  server: 7,
  cli: 8,
  index: 8,
  /** Re-exports of the workspace package @gatehouse/verify (packages/verify), checked below. */
  verify: 0,
};
/** Areas that may name `Core` (type-only) although it sits above them. */
const MAY_NAME_CORE = new Set(['authn', 'provider', 'http']);

interface Import {
  file: string;
  specifier: string;
  typeOnly: boolean;
}

const IMPORT = /^(?:import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?'([^']+)'/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

const imports: Import[] = sourceFiles(SRC).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => ({
    file,
    specifier: match[2] ?? '',
    typeOnly: match[1] !== undefined,
  })),
);
const internal = (i: Import) => i.specifier.startsWith('.');
const targetOf = (i: Import) => resolve(dirname(i.file), i.specifier).replace(/\.js$/, '.ts');
const show = (i: Import) => `${relative(SRC, i.file)} imports ${i.specifier}`;

describe('layering of src/', () => {
  it('knows the area of every file', () => {
    const unknown = [...new Set(imports.map((i) => areaOf(i.file)))].filter((a) => !(a in RANK));
    expect(unknown).toEqual([]);
  });

  it('imports point down the layers only', () => {
    const upward = imports.filter(internal).filter((i) => {
      const from = areaOf(i.file);
      const to = areaOf(targetOf(i));
      if (from === to || from === 'verify' || to === 'verify') return false;
      if (to === 'core' && i.typeOnly && MAY_NAME_CORE.has(from)) return false;
      const [rankFrom, rankTo] = [RANK[from] ?? -1, RANK[to] ?? Number.POSITIVE_INFINITY];
      return rankTo >= rankFrom && !(rankFrom === 0 && rankTo === 0);
    });
    expect(upward.map(show)).toEqual([]);
  });

  it('nothing below http/ imports Fastify', () => {
    const framework = imports.filter((i) => {
      const rank = RANK[areaOf(i.file)] ?? 0;
      const below = rank < (RANK.http as number) && areaOf(i.file) !== 'verify';
      return below && /^(fastify|@fastify\/)/.test(i.specifier);
    });
    expect(framework.map(show)).toEqual([]);
  });

  it('route handlers import no repository', () => {
    const direct = imports
      .filter((i) => relative(SRC, i.file).startsWith('http/'))
      .filter((i) => internal(i) && relative(SRC, targetOf(i)).startsWith('store/repositories/'));
    expect(direct.filter((i) => !i.typeOnly).map(show)).toEqual([]);
  });
});

/**
 * Each workspace package (packages/*) stands alone: at runtime it imports its own files and the
 * dependencies its package.json declares (and Node's `node:` modules), nothing of Gatehouse's server; its optional peers
 * (frameworks) are named as types only.
 */
const PACKAGES = resolve(SRC, '../packages');

describe.each(readdirSync(PACKAGES))('packages/%s', (name) => {
  const root = join(PACKAGES, name);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const own = join(root, 'src');
  const packageImports = sourceFiles(own).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => ({
      file,
      specifier: match[2] ?? '',
      typeOnly: match[1] !== undefined,
    })),
  );
  const bare = (specifier: string) =>
    specifier.startsWith('@')
      ? specifier.split('/').slice(0, 2).join('/')
      : (specifier.split('/')[0] ?? '');

  it('imports only its own files and its declared dependencies at runtime', () => {
    const dependencies = new Set(Object.keys(manifest.dependencies ?? {}));
    const peers = new Set(Object.keys(manifest.peerDependencies ?? {}));
    const outside = packageImports.filter((i) => {
      if (i.specifier.startsWith('.')) return !targetOf(i).startsWith(own);
      // Node's own modules come with the runtime its `engines` names.
      if (i.specifier.startsWith('node:')) return false;
      if (dependencies.has(bare(i.specifier))) return false;
      return !(i.typeOnly && peers.has(bare(i.specifier)));
    });
    expect(outside.map((i) => `${relative(root, i.file)} imports ${i.specifier}`)).toEqual([]);
  });

  it('loads alone', async () => {
    const module: Record<string, unknown> = await import(join(own, 'index.ts'));
    expect(Object.keys(module).length).toBeGreaterThan(0);
  });
});
