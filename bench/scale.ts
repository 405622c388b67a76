import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import Table from 'cli-table3'
import { NodeGroup, dialAddr } from './lib/node-group.js'
import { summarize } from './lib/stats.js'
import { eventTime, waitUntil } from './lib/wait.js'
import type { CapabilityRecord } from '../src/capabilities/index.js'
import { DEFAULT_TIMING } from '../src/node/clawmatrix.js'
import type { ClawMatrixNode, MeshTiming } from '../src/node/clawmatrix.js'

/** the short intervals the tests use, so a record that stops arriving expires within a run */
const TEST_TIMING: MeshTiming = {
  announceIntervalMs: 400,
  recordTtlMs: 1500,
  pingIntervalMs: 400,
  silentAfterMs: 2500,
  minBackoffMs: 100,
  maxBackoffMs: 1000,
  idleConnectionMs: 10_000
}

/** `SCALE_TIMING=default` runs the nodes with the timing users get (announce every 5 s, records live 15 s) */
const SCALE_TIMING = process.env.SCALE_TIMING === 'default' ? DEFAULT_TIMING : TEST_TIMING

/** mesh sizes (spokes + the hub); `SCALE_SIZES=10,25` picks others */
const SIZES = (process.env.SCALE_SIZES ?? '10,25,50').split(',').map(s => Number.parseInt(s, 10)).filter(n => n >= 2)
const FORM_TIMEOUT_MS = 60_000
const CHANGES = 20
const CHANGE_TIMEOUT_MS = 10_000
const IDLE_MS = 5000

interface ScaleRow {
  nodes: number
  /** s from the last start until every node held every other node's record; undefined: not within FORM_TIMEOUT_MS */
  formedS?: number
  /** s from the last start until every node was connected to every other; undefined: not within FORM_TIMEOUT_MS */
  connectedS?: number
  /** node pairs (holder, signer) still missing a live record when the wait ended */
  missing: number
  changeMedianMs?: number
  changeP99Ms?: number
  /** changes that did not reach every node within CHANGE_TIMEOUT_MS, of those tried */
  changesLost: number
  changesTried: number
  hubConnections: number
  /** CPU time over wall time at idle, all nodes of this process together */
  idleCores: number
  /** records sent in state exchanges per node while forming */
  syncRecordsPerNode?: number
}

/** (holder, signer) pairs where the holder has no live record of the signer */
function missingRecords (nodes: ClawMatrixNode[]): number {
  let missing = 0
  for (const holder of nodes) {
    const live = new Set(holder.capabilities.table.live().map(e => e.record.peerId))
    for (const signer of nodes) {
      if (signer !== holder && !live.has(signer.peerId)) missing++
    }
  }
  return missing
}

/** every node holds an open connection to every other */
function allConnected (nodes: ClawMatrixNode[]): boolean {
  return nodes.every(n => new Set(n.libp2p.getConnections().map(c => c.remotePeer.toString())).size >= nodes.length - 1)
}

/** ms from `changer` announcing a new tag until every other node holds it */
async function changeReachesAll (changer: ClawMatrixNode, others: ClawMatrixNode[], tag: string): Promise<number> {
  const arrivals = others.map(async other => await eventTime<CapabilityRecord>(other.capabilities, 'record',
    record => record.peerId === changer.peerId && record.tags.includes(tag), `${other.nodeId} to receive ${tag}`, CHANGE_TIMEOUT_MS))
  const start = performance.now()
  changer.setTags(['bench', tag])
  return Math.max(...await Promise.all(arrivals)) - start
}

async function idleCores (): Promise<number> {
  const cpu = process.cpuUsage()
  const start = performance.now()
  await sleep(IDLE_MS)
  const used = process.cpuUsage(cpu)
  return (used.user + used.system) / 1000 / (performance.now() - start)
}

function syncRecordsSent (nodes: ClawMatrixNode[]): number | undefined {
  const counts = nodes.map(n => (n.capabilities as { syncStats?: () => { recordsSent: number } }).syncStats?.().recordsSent)
  if (counts.some(c => c == null)) return undefined
  return (counts as number[]).reduce((a, b) => a + b, 0) / nodes.length
}

async function measure (size: number): Promise<ScaleRow> {
  const group = new NodeGroup({ timing: SCALE_TIMING, metrics: false })
  try {
    const hub = await group.start({ nodeId: 'hub', listen: true })
    const peers = [{ nodeId: 'hub', url: dialAddr(hub) }]
    const spokes = await Promise.all(Array.from({ length: size - 1 }, async (_, i) => await group.start({ nodeId: `spoke-${i + 1}`, peers })))
    const lastStart = performance.now()
    const all = [hub, ...spokes]
    let formedS: number | undefined
    let connectedS: number | undefined
    try {
      await waitUntil(`a ${size}-node mesh to hold every record and connection`, () => {
        if (formedS == null && missingRecords(all) === 0) formedS = (performance.now() - lastStart) / 1000
        if (connectedS == null && allConnected(all)) connectedS = (performance.now() - lastStart) / 1000
        return formedS != null && connectedS != null
      }, { timeoutMs: FORM_TIMEOUT_MS, intervalMs: 50 })
    } catch {}
    const missing = missingRecords(all)
    const syncRecordsPerNode = syncRecordsSent(all)
    const hubConnections = hub.libp2p.getConnections().length
    const cores = await idleCores()
    const samples: number[] = []
    let changesLost = 0
    let changesTried = 0
    // a mesh that loses the first three changes loses the rest too: not worth 10 s each
    for (let i = 0; i < CHANGES && !(changesLost >= 3 && samples.length === 0); i++) {
      changesTried++
      const changer = all[(i * 7) % all.length]
      try {
        samples.push(await changeReachesAll(changer, all.filter(n => n !== changer), `change-${i}`))
      } catch {
        changesLost++
      }
    }
    const changes = samples.length > 0 ? summarize(samples) : undefined
    return {
      nodes: size,
      ...(formedS != null ? { formedS } : {}),
      ...(connectedS != null ? { connectedS } : {}),
      missing,
      ...(changes != null ? { changeMedianMs: changes.median, changeP99Ms: changes.p99 } : {}),
      changesLost,
      changesTried,
      hubConnections,
      idleCores: cores,
      ...(syncRecordsPerNode != null ? { syncRecordsPerNode } : {})
    }
  } finally {
    await group.stop()
  }
}

function cell (value: number | undefined, digits: number, none = '-'): string {
  return value == null ? none : value.toFixed(digits)
}

/**
 * One listening hub and N-1 nodes that only dial out, all in this process on loopback, with the
 * tests' short timing: how long until every node holds every record, how fast a change then
 * reaches all, what the hub holds and what the mesh costs at idle.
 */
export async function runScaleBench (): Promise<void> {
  const table = new Table({
    head: ['nodes', 'all records after', 'all connected after', 'missing pairs', 'change median', 'change p99', 'changes lost', 'hub conns', 'idle CPU', 'sync records/node'],
    style: { head: [], border: [] }
  })
  for (const size of SIZES) {
    const row = await measure(size)
    table.push([
      row.nodes,
      row.formedS != null ? `${row.formedS.toFixed(1)} s` : `not in ${FORM_TIMEOUT_MS / 1000} s`,
      row.connectedS != null ? `${row.connectedS.toFixed(1)} s` : `not in ${FORM_TIMEOUT_MS / 1000} s`,
      `${row.missing} of ${row.nodes * (row.nodes - 1)}`,
      `${cell(row.changeMedianMs, 0)} ms`,
      `${cell(row.changeP99Ms, 0)} ms`,
      `${row.changesLost} of ${row.changesTried}`,
      row.hubConnections,
      `${cell(row.idleCores, 2)} cores`,
      cell(row.syncRecordsPerNode, 0)
    ])
    console.log(`${size} nodes measured`)
  }
  console.log(`\nhub and dial-out nodes in one process (announce every ${SCALE_TIMING.announceIntervalMs} ms, records live ${SCALE_TIMING.recordTtlMs} ms)\n${table.toString()}`)
}
