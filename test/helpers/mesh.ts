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
  // six pings: on a loaded 2-core machine a few answers can come late without the peer being gone
  silentAfterMs: 2500,
  minBackoffMs: 100,
  maxBackoffMs: 1000,
  idleConnectionMs: 10_000
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
 * the hub's relay. Resolves once all three hold each other's records and a and b can reach each other.
 */
export async function startMesh (configs: { hub?: ConfigInput, a?: ConfigInput, b?: ConfigInput } = {}, options: ClawMatrixOptions = {}): Promise<TestMesh> {
  const { hub, members: [a, b], stop } = await startHubMesh([
    { config: { nodeId: 'a', ...configs.a } },
    { config: { nodeId: 'b', ...configs.b } }
  ], { ...options, ...(configs.hub != null ? { hub: configs.hub } : {}) })
  return { hub, a, b, stop }
}

export interface HubMember {
  config: ConfigInput
  /** merged over the options every node gets */
  options?: ClawMatrixOptions & { dataDir?: string }
}

export interface TestHubMesh {
  hub: TestNode
  /** in the order given */
  members: TestNode[]
  stop(): Promise<void>
}

/** Resolves once `node` can reach every node named: over an open connection, or through a relay it is connected to */
export async function waitUntilReachable (node: ClawMatrixNode, nodeIds: string[], timeoutMs = 20_000): Promise<void> {
  await waitFor(`${node.nodeId} to reach ${nodeIds.join(', ')}`, () => {
    const reachable = new Set(node.peers().filter(p => p.reachable).map(p => p.nodeId))
    return nodeIds.every(id => reachable.has(id))
  }, timeoutMs)
}

/**
 * A listening hub (node id "hub" unless `options.hub` says otherwise) and members that only dial
 * out to it, so that members reach each other only through the hub's relay. Resolves once every
 * node can reach every other one.
 */
export async function startHubMesh (members: HubMember[], options: ClawMatrixOptions & { hub?: ConfigInput } = {}): Promise<TestHubMesh> {
  const { hub: hubConfig, ...shared } = options
  const hub = await startNode({ nodeId: 'hub', listen: true, ...hubConfig }, shared)
  const peers = [{ nodeId: hub.nodeId, url: hub.dialAddr }]
  const started = await Promise.allSettled(members.map(async m => await startNode({ peers, ...m.config }, {
    ...shared,
    ...m.options,
    ...(shared.timing != null || m.options?.timing != null ? { timing: { ...shared.timing, ...m.options?.timing } } : {})
  })))
  const nodes = [hub, ...started.flatMap(s => s.status === 'fulfilled' ? [s.value] : [])]
  const stop = async (): Promise<void> => { await Promise.all(nodes.map(async n => { await n.stop().catch(() => {}) })) }
  try {
    const failed = started.find(s => s.status === 'rejected')
    if (failed != null) throw failed.reason
    await Promise.all(nodes.map(async node => {
      await waitUntilReachable(node, nodes.filter(n => n !== node).map(n => n.nodeId))
    }))
  } catch (err) {
    await stop()
    throw err
  }
  return { hub, members: nodes.slice(1), stop }
}

export async function removeTempDirs (): Promise<void> {
  await Promise.all(dirs.splice(0).map(async d => { await rm(d, { recursive: true, force: true }) }))
}
