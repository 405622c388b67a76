import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * `npm run test:browser`: the status page in a real headless Chromium (Debian's `chromium`
 * package, driven by playwright-core; no browser download). Apart from `npm test`, which must
 * pass on a machine without a browser.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/browser/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
