import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * `npm run test:openclaw`: two real OpenClaw gateways with the packed plugin. Slow (the install,
 * the pack and two gateway starts), so it runs on its own and not in `npm test`.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/openclaw/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 900_000
  }
})
