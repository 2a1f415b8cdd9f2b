import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}', 'engine/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}'],
          environment: 'node',
          // A few unit tests talk to an unreachable port on purpose; on two busy cores the client's
          // retries can take longer than vitest's 5 s default.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // One shared ES, MariaDB and CPU: files run one after another in a single fork.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
