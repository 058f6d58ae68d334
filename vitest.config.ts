import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@dtl/source'] },
  ssr: { resolve: { conditions: ['@dtl/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
