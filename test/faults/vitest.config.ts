/**
 * The fault-injection suite (`npm run test:faults`): real engines (started by the integration
 * tests' global setup on test ports, in a throw-away state directory), worker OS processes that are
 * SIGKILLed, engines stopped and restarted. One file, in sequence: the faults share the engines.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  test: {
    root,
    name: 'faults',
    include: ['test/faults/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/integration/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 300_000,
  },
});
