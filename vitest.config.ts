import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // fast-check's seed for the run (K4SYNC_SEED, else a fresh one), printed when a test fails.
    setupFiles: ['test/setup/seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
