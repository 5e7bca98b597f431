import { defineConfig } from 'vitest/config';

const http = (name: string, db: 'sqlite' | 'postgres') => ({
  extends: true as const,
  test: { name, include: ['test/http/**/*.test.ts'], env: { GATEHOUSE_TEST_DB: db } },
});

/**
 * Unit tests run once; the HTTP suite runs on SQLite, and again on PostgreSQL +
 * Redis when DATABASE_URL and REDIS_URL are set (CI sets them).
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts'] },
      },
      http('http-sqlite', 'sqlite'),
      ...(process.env.DATABASE_URL ? [http('http-postgres', 'postgres')] : []),
    ],
  },
});
