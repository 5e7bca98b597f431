import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

const http = (name: string, db: 'sqlite' | 'postgres') => ({
  extends: true as const,
  test: { name, include: ['test/http/**/*.test.ts'], env: { GATEHOUSE_TEST_DB: db } },
});

/**
 * Unit tests run once; the HTTP suite runs on SQLite, and again on PostgreSQL +
 * Redis when DATABASE_URL and REDIS_URL are set (CI sets them). Fault tests
 * (test/faults) run once against private servers they start and stop; browser
 * tests (test/browser) run once in one shared headless Chromium.
 */
export default defineConfig({
  // The workspace packages (packages/*) are read from their TypeScript sources, never from a stale dist/.
  resolve: { conditions: ['gatehouse-source'] },
  ssr: { resolve: { conditions: ['gatehouse-source', ...defaultServerConditions] } },
  test: {
    // Vitest's default on a 2-core machine is one worker (CPUs - 1): the files wait on servers,
    // databases and a browser far more than on the CPU, so two run side by side.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['test/build-browser-scripts.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'test/unit/**/*.test.ts',
            'test/cli/**/*.test.ts',
            'test/packages/**/*.test.ts',
          ],
        },
      },
      http('http-sqlite', 'sqlite'),
      // Fault tests start their own PostgreSQL and Redis on spare ports, so they run once.
      { extends: true, test: { name: 'faults', include: ['test/faults/**/*.test.ts'] } },
      ...(process.env.DATABASE_URL ? [http('http-postgres', 'postgres')] : []),
      // Real headless Chromium (one, shared) with a virtual authenticator: runs once, on
      // PostgreSQL + Redis when they are set (CI), else on SQLite.
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/build-browser-scripts.ts', 'test/browser/global-setup.ts'],
          env: { GATEHOUSE_TEST_DB: process.env.DATABASE_URL ? 'postgres' : 'sqlite' },
        },
      },
    ],
  },
});
