import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * `npm run test:resilience`: soak through a hub, overload, kill -9 mid-run and hostile members.
 * Heavier than `npm test`, so it runs on its own. `npm run soak` and `npm run fuzz` run the same
 * files with long settings (CLAWMATRIX_SOAK_MINUTES, CLAWMATRIX_FUZZ_FRAMES).
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/resilience/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 60_000
  }
})
