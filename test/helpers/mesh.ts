import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClawMatrix } from '../../src/node/clawmatrix.js'
import { waitFor } from './wait.js'
import type { ClawMatrixNode, ClawMatrixOptions, MeshTiming } from '../../src/node/clawmatrix.js'
import type { ConfigInput } from '../../src/config/schema.js'

export const TEST_SECRET = 'test-secret-0123456789'

/** Short intervals so expiry and re-announcement happen within a test's time */
export const FAST_TIMING: MeshTiming = {
  announceIntervalMs: 400,
  recordTtlMs: 1500,
  pingIntervalMs: 400,
  minBackoffMs: 100,
  maxBackoffMs: 1000
}

export interface TestNode extends ClawMatrixNode {
  /** the address other nodes put in `peers[].url` (listening nodes only) */
  dialAddr: string
}

const dirs: string[] = []

/** A real ClawMatrix node on 127.0.0.1 with free ports and a temp dataDir */
export async function startNode (config: ConfigInput, options: ClawMatrixOptions & { dataDir?: string } = {}): Promise<TestNode> {
  const dataDir = options.dataDir ?? await mkdtemp(join(tmpdir(), 'cm-node-'))
  if (options.dataDir == null) dirs.push(dataDir)
  const node = await createClawMatrix({
    secret: TEST_SECRET,
    listenHost: '127.0.0.1',
    listenPort: 0,
    proxyPort: 0,
    dataDir,
    ...config
  }, { timing: FAST_TIMING, ...options, ...(options.timing != null ? { timing: { ...FAST_TIMING, ...options.timing } } : {}) })
  const dialAddr = node.libp2p.getMultiaddrs().find(a => !a.toString().includes('p2p-circuit'))?.toString() ?? ''
  return Object.assign(node, { dialAddr })
}

export interface TestMesh {
  hub: TestNode
  a: TestNode
  b: TestNode
  stop(): Promise<void>
}

/**
 * A listening hub and two nodes that only dial out: a and b can reach each other only through
 * the hub's relay. Resolves once all three hold each other's records and a ↔ b is connected.
 */
export async function startMesh (configs: { hub?: ConfigInput, a?: ConfigInput, b?: ConfigInput } = {}, options: ClawMatrixOptions = {}): Promise<TestMesh> {
  const hub = await startNode({ nodeId: 'hub', listen: true, ...configs.hub }, options)
  const peers = [{ nodeId: 'hub', url: hub.dialAddr }]
  const [a, b] = await Promise.all([
    startNode({ nodeId: 'a', peers, ...configs.a }, options),
    startNode({ nodeId: 'b', peers, ...configs.b }, options)
  ])
  const mesh = { hub, a, b, stop: async () => { await Promise.all([hub, a, b].map(async n => { await n.stop().catch(() => {}) })) } }
  try {
    await waitFor('a and b to reach each other', () =>
      a.peers().some(p => p.nodeId === 'b' && p.connected) && b.peers().some(p => p.nodeId === 'a' && p.connected) &&
      hub.peers().filter(p => p.connected).length === 2)
  } catch (err) {
    await mesh.stop()
    throw err
  }
  return mesh
}

export async function removeTempDirs (): Promise<void> {
  await Promise.all(dirs.splice(0).map(async d => { await rm(d, { recursive: true, force: true }) }))
}
