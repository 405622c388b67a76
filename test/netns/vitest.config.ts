import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * `npm run test:netns`: direct paths between NATed nodes, in Linux network namespaces the tests
 * create (veth pairs, bridges, NAT routers with iptables). Needs root, `ip` and `iptables`; the
 * files skip with the reason when they are missing. Nodes run as child processes in the
 * namespaces, so one file at a time. The hole-punching nodes log with DEBUG set to
 * `libp2p:dcutr*,clawmatrix:mesh:hole-punch*,clawmatrix:mesh:relayed*` (NETNS_DEBUG replaces
 * it); a failed test prints the end of each of its nodes' output.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/netns/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000
  }
})
