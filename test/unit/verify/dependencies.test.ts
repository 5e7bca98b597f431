import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const directory = new URL('../../../src/verify/', import.meta.url);
const files = readdirSync(directory).filter((name) => name.endsWith('.ts'));
const IMPORT = /^(import|export)\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm;

describe('gatehouse/verify dependencies', () => {
  it.each(files)(
    '%s imports only jose and its own folder at runtime (frameworks as types)',
    (file) => {
      const source = readFileSync(new URL(file, directory), 'utf8');
      for (const match of source.matchAll(IMPORT)) {
        const typeOnly = match[2] !== undefined;
        const specifier = match[3] ?? '';
        const allowed =
          specifier === 'jose' ||
          (specifier.startsWith('./') && !specifier.includes('/', 2)) ||
          (typeOnly && ['fastify', 'express', 'hono'].includes(specifier));
        expect(allowed, `${file} imports ${specifier}`).toBe(true);
      }
    },
  );

  it('loads alone', async () => {
    const module = await import('../../../src/verify/index.js');
    expect(typeof module.createVerifier).toBe('function');
  });
});
