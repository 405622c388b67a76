import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/openclaw/*.test.ts', 'test/resilience/*.test.ts', 'test/browser/*.test.ts', 'test/netns/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: true,
    // vitest's default on 2 cores is one worker; the tests mostly wait on sockets, timers and
    // child processes, so two run side by side without starving each other
    maxWorkers: 2
  }
})
