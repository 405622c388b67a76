import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_TIMING } from '../src/node/clawmatrix.js'
import { FixtureProcess, killAllFixtures } from './lib/fixture-process.js'
import { startHubMesh } from './lib/hub-mesh.js'
import { BENCH_HOST, NodeGroup, dialAddr } from './lib/node-group.js'
import { printFigures } from './lib/report.js'
import { median, summarize } from './lib/stats.js'
import { eventTime, waitUntil } from './lib/wait.js'
import type { BareNodeArgs, ClawMatrixNodeArgs } from './fixtures/messages.js'
import type { Figure } from './lib/report.js'
import type { CapabilityRecord } from '../src/capabilities/index.js'
import type { ClawMatrixNode } from '../src/node/clawmatrix.js'
import type { PeerStatusPath } from '../src/node/status.js'

const CLAWMATRIX_FIXTURE = new URL('./fixtures/clawmatrix-node.js', import.meta.url)
const BARE_FIXTURE = new URL('./fixtures/bare-libp2p-node.js', import.meta.url)

const MESH_SIZE = 10
const WARMUP_CHANGES = 3
const CHANGES = 40
const CLOSES = 20
const KILLS = 5
const MEMORY_SETTLE_MS = 10_000
const MEMORY_SAMPLES = 5
const MB = 1e6

const TARGETS = {
  changeMedianMs: 500,
  closedMs: 1000,
  silentS: 15,
  rssAboveBareMb: 15
}

/** how `observer`'s status shows `peerId` (unreachable when it has no record of it) */
function pathTo (observer: ClawMatrixNode, peerId: string): PeerStatusPath {
  return observer.peers().find(p => p.peerId === peerId)?.path ?? 'unreachable'
}

/**
 * `performance.now()` when `observer`'s status first shows `peerId` unreachable. Status changes
 * when a connection closes or a record expires, so check on those events (exact, and before the
 * peer can re-dial) and poll as a backstop.
 */
async function unreachableAt (observer: ClawMatrixNode, peerId: string, what: string, timeoutMs: number): Promise<number> {
  let seenAt: number | undefined
  const check = (): boolean => {
    if (seenAt == null && pathTo(observer, peerId) === 'unreachable') seenAt = performance.now()
    return seenAt != null
  }
  observer.libp2p.addEventListener('connection:close', check)
  observer.capabilities.addEventListener('expired', check)
  try {
    await waitUntil(`${observer.nodeId} to mark ${what} unreachable`, check, { timeoutMs, intervalMs: 5 })
    return seenAt as number
  } finally {
    observer.libp2p.removeEventListener('connection:close', check)
    observer.capabilities.removeEventListener('expired', check)
  }
}


/** ms from `changer` announcing new tags until the last of `others` holds them */
async function changeReachesAll (changer: ClawMatrixNode, others: ClawMatrixNode[], tag: string): Promise<number> {
  const arrivals = others.map(async other => await eventTime<CapabilityRecord>(other.capabilities, 'record',
    record => record.peerId === changer.peerId && record.tags.includes(tag), `${other.nodeId} to receive ${tag} from ${changer.nodeId}`))
  const start = performance.now()
  changer.setTags(['bench', tag])
  return Math.max(...await Promise.all(arrivals)) - start
}

async function measureChangePropagation (nodes: ClawMatrixNode[]): Promise<Figure[]> {
  const samples: number[] = []
  for (let i = 0; i < WARMUP_CHANGES + CHANGES; i++) {
    const changer = nodes[i % nodes.length]
    const ms = await changeReachesAll(changer, nodes.filter(n => n !== changer), `change-${i}`)
    if (i >= WARMUP_CHANGES) samples.push(ms)
  }
  const s = summarize(samples)
  const label = `capability change reaching all ${nodes.length} nodes`
  return [
    { label: `${label}, median`, value: s.median, unit: 'ms', samples: s.count, target: { max: TARGETS.changeMedianMs }, note: `hub + ${nodes.length - 1} dial-out nodes, changer rotates` },
    { label: `${label}, p99`, value: s.p99, unit: 'ms', samples: s.count }
  ]
}

/** the peer closes its connection to the observer; the observer's status must show it unreachable */
async function measureClosedConnections (observer: ClawMatrixNode, peer: ClawMatrixNode): Promise<Figure[]> {
  const samples: number[] = []
  for (let i = 0; i < CLOSES; i++) {
    await waitUntil(`${peer.nodeId} to reconnect to ${observer.nodeId}`, () => pathTo(observer, peer.peerId) === 'direct', { timeoutMs: 15_000 })
    const start = performance.now()
    const [marked] = await Promise.all([
      unreachableAt(observer, peer.peerId, peer.nodeId, 5000),
      peer.libp2p.hangUp(observer.libp2p.peerId)
    ])
    samples.push(marked - start)
  }
  const s = summarize(samples)
  const label = 'connection closed by the peer -> unreachable'
  return [
    { label: `${label}, median`, value: s.median, unit: 'ms', samples: s.count },
    { label: `${label}, max`, value: s.max, unit: 'ms', samples: s.count, target: { max: TARGETS.closedMs } }
  ]
}

async function startChildNode (group: NodeGroup, hub: ClawMatrixNode, nodeId: string): Promise<FixtureProcess> {
  const args: ClawMatrixNodeArgs = { config: { ...await group.baseConfig(), nodeId, peers: [{ nodeId: hub.nodeId, url: dialAddr(hub) }] } }
  const child = await FixtureProcess.start(CLAWMATRIX_FIXTURE, args)
  await waitUntil(`${nodeId} to join the mesh`, () => pathTo(hub, child.peerId) === 'direct', { timeoutMs: 30_000 })
  return child
}

/** a node process dies: the OS closes its sockets, no libp2p goodbye */
async function measureKilledPeers (group: NodeGroup, observer: ClawMatrixNode): Promise<Figure[]> {
  const samples: number[] = []
  for (let i = 0; i < KILLS; i++) {
    const child = await startChildNode(group, observer, `killed-${i + 1}`)
    const start = performance.now()
    const marked = unreachableAt(observer, child.peerId, `killed-${i + 1}`, 5000)
    child.signal('SIGKILL')
    samples.push(await marked - start)
    await child.kill()
  }
  const s = summarize(samples)
  return [{ label: 'node process killed (SIGKILL) -> unreachable, max', value: s.max, unit: 'ms', samples: s.count, target: { max: TARGETS.closedMs }, note: `median ${s.median.toFixed(1)} ms` }]
}

/** local clock ms of the observer's last ping answer from `peerId`, on any connection */
function lastPingAnswer (observer: ClawMatrixNode, peerId: string): number {
  const answers = observer.libp2p.getConnections()
    .filter(c => c.remotePeer.toString() === peerId)
    .map(c => observer.silentPeers.lastAnswer(c.id) ?? 0)
  return Math.max(0, ...answers)
}

/**
 * A frozen process keeps its sockets open and says nothing: its records stop, and so do its
 * answers to pings. The node is frozen once `quietMs` have passed since the observer's last ping
 * answer from it; 0 freezes it right after an answer, the longest a silent peer can go unnoticed.
 * Resolves with the seconds to the mark from the freeze and from the last ping answer.
 */
async function silentTrial (group: NodeGroup, observer: ClawMatrixNode, nodeId: string, quietMs: number): Promise<{ afterFreeze: number, afterLastAnswer: number }> {
  const child = await startChildNode(group, observer, nodeId)
  try {
    const previous = lastPingAnswer(observer, child.peerId)
    await waitUntil(`a fresh ping answer from ${nodeId}`, () => lastPingAnswer(observer, child.peerId) > previous, { timeoutMs: 30_000, intervalMs: 1 })
    const answeredAt = lastPingAnswer(observer, child.peerId)
    if (quietMs > 0) await waitUntil(`${quietMs} ms after the last ping answer from ${nodeId}`, () => Date.now() - answeredAt >= quietMs, { timeoutMs: 60_000, intervalMs: 1 })
    const marked = unreachableAt(observer, child.peerId, nodeId, 60_000)
    const start = performance.now()
    const startWall = Date.now()
    child.signal('SIGSTOP')
    const markedAt = await marked
    const afterFreeze = (markedAt - start) / 1000
    return { afterFreeze, afterLastAnswer: afterFreeze + (startWall - answeredAt) / 1000 }
  } finally {
    await child.kill()
  }
}

/** two silent peers at once: frozen right after a ping answer, and midway between pings */
async function measureSilentPeers (group: NodeGroup, observer: ClawMatrixNode): Promise<Figure[]> {
  const midway = DEFAULT_TIMING.pingIntervalMs / 2
  const [worst, typical] = await Promise.all([
    silentTrial(group, observer, 'silent-1', 0),
    silentTrial(group, observer, 'silent-2', midway)
  ])
  const label = 'silent peer (SIGSTOP) -> unreachable'
  const timing = `default timing: ping every ${DEFAULT_TIMING.pingIntervalMs / 1000} s, silent after ${DEFAULT_TIMING.silentAfterMs / 1000} s without an answer, record TTL ${DEFAULT_TIMING.recordTtlMs / 1000} s`
  return [
    { label: `${label}, worst case`, value: worst.afterFreeze, unit: 's', samples: 1, target: { max: TARGETS.silentS }, note: `frozen right after a ping answer; ${worst.afterLastAnswer.toFixed(2)} s after that answer; ${timing}` },
    { label: `${label}, typical`, value: typical.afterFreeze, unit: 's', samples: 1, target: { max: TARGETS.silentS }, note: `frozen ${midway / 1000} s after a ping answer, midway between pings; ${typical.afterLastAnswer.toFixed(2)} s after that answer` }
  ]
}

/** RSS of an idle listening ClawMatrix node process vs a bare libp2p process with the same stack */
async function measureIdleMemory (): Promise<Figure[]> {
  // no in-process nodes: the group only provides the secret and a data dir
  const group = new NodeGroup()
  try {
    const bareArgs: BareNodeArgs = { listenHost: BENCH_HOST }
    const nodeArgs: ClawMatrixNodeArgs = { config: { ...await group.baseConfig(), nodeId: 'idle', listen: true } }
    const [bare, node] = await Promise.all([FixtureProcess.start(BARE_FIXTURE, bareArgs), FixtureProcess.start(CLAWMATRIX_FIXTURE, nodeArgs)])
    await sleep(MEMORY_SETTLE_MS)
    const bareSamples: Array<{ rss: number, heapUsed: number }> = []
    const nodeSamples: Array<{ rss: number, heapUsed: number }> = []
    for (let i = 0; i < MEMORY_SAMPLES; i++) {
      const [b, n] = await Promise.all([bare.memory(), node.memory()])
      bareSamples.push(b)
      nodeSamples.push(n)
      await sleep(1000)
    }
    await Promise.all([bare.stop(), node.stop()])
    const mb = (samples: Array<{ rss: number, heapUsed: number }>, key: 'rss' | 'heapUsed'): number => median(samples.map(s => s[key])) / MB
    const note = `after ${MEMORY_SETTLE_MS / 1000} s idle, median of ${MEMORY_SAMPLES} samples 1 s apart`
    return [
      { label: 'idle RSS, ClawMatrix node process', value: mb(nodeSamples, 'rss'), unit: 'MB', samples: MEMORY_SAMPLES, baseline: { label: 'bare libp2p', value: mb(bareSamples, 'rss') }, target: { maxAboveBaseline: TARGETS.rssAboveBareMb }, note },
      { label: 'idle JS heap used, ClawMatrix node process', value: mb(nodeSamples, 'heapUsed'), unit: 'MB', samples: MEMORY_SAMPLES, baseline: { label: 'bare libp2p', value: mb(bareSamples, 'heapUsed') } }
    ]
  } finally {
    await group.stop()
  }
}

/**
 * Mesh figures from real nodes on loopback with default timing: how fast a capability change
 * spreads over a 10-node mesh, how fast lost and silent peers are marked unreachable, and the
 * memory a node costs over bare libp2p.
 */
export async function runMeshBench (): Promise<void> {
  const figures: Figure[] = []
  const group = new NodeGroup()
  try {
    const mesh = await startHubMesh(group, MESH_SIZE - 1)
    figures.push(...await measureChangePropagation(mesh.all))
    figures.push(...await measureClosedConnections(mesh.hub, mesh.spokes[0]))
    figures.push(...await measureKilledPeers(group, mesh.hub))
    figures.push(...await measureSilentPeers(group, mesh.hub))
    await group.stop()
    figures.push(...await measureIdleMemory())
  } finally {
    await killAllFixtures()
    await group.stop()
    if (figures.length > 0) printFigures('mesh', figures)
  }
}
