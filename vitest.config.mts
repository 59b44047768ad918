import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure logic and in-process components, beside the code) and
 * `integration` (real Postgres, etcd and the polygres CLI, in test/). Integration files run
 * one at a time: each starts whole clusters and the machine has two cores.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['runtime/src/**/*.test.ts', 'bench/**/*.test.ts', 'constructs/test/**/*.test.ts', 'provider/test/**/*.test.ts', 'test/architecture/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/architecture/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
