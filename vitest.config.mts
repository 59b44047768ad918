import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (pure logic and in-process components, beside the code),
 * `integration` (real Postgres, etcd and the polygres CLI, in test/; the data path on its
 * default runtime, Bun) and `data-path-on-node` (the data path's own tests again with the
 * gateways and poolers on Node, where a cluster runs them when Bun is not installed, so that
 * keeps working). Integration files run one at a time: each starts whole clusters and the
 * machine has two cores; the Node project runs after the others for the same reason.
 */

const integration = {
  globalSetup: ['test/support/global-setup.ts'],
  testTimeout: 180_000,
  hookTimeout: 240_000,
  fileParallelism: false,
  maxWorkers: 1,
};
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
          ...integration,
        },
      },
      {
        test: {
          name: 'data-path-on-node',
          include: [
            'test/edge/**/*.test.ts',
            'test/gateway/**/*.test.ts',
            'test/compatibility/session-replay.test.ts',
            'test/compatibility/backend-local-state.test.ts',
          ],
          env: { POLYGRES_DATA_PATH_RUNTIME: 'node' },
          sequence: { groupOrder: 1 },
          ...integration,
        },
      },
    ],
  },
});
