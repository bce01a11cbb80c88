// `npm run test:e2e`: opt-in, outside `npm test` (its first run builds kube-apiserver and etcd).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    // the first run builds kube-apiserver from source: allow it an hour
    hookTimeout: 3_600_000,
  },
});
