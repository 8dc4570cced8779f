import { defineConfig } from 'vitest/config';

// Tests spawn the CLI, tshark and network-namespace labs on a 2-core machine: generous per-test
// limits keep a loaded machine from failing correct tests (speed is measured by `npm run bench`).
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    include: ['test/**/*.test.ts'],
  },
});
