import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import Table from 'cli-table3'
import { FixtureProcess } from './lib/fixture-process.js'
import { NodeGroup, BENCH_HOST } from './lib/node-group.js'
import { printFigures } from './lib/report.js'
import { summarize } from './lib/stats.js'
import { converged, missingPairs } from './lib/mesh-coverage.js'
import { eventTime, waitUntil } from './lib/wait.js'
import type { ClawMatrixNodeArgs } from './fixtures/messages.js'
import type { CapabilityRecord } from '../src/capabilities/index.js'
import { DEFAULT_TIMING } from '../src/node/clawmatrix.js'
import type { ClawMatrixNode, MeshTiming } from '../src/node/clawmatrix.js'

/** the tests' short intervals (`SCALE_TIMING=fast`): records that stop arriving expire within a run */
const FAST_TIMING: MeshTiming = {
  announceIntervalMs: 400,
  recordTtlMs: 1500,
  pingIntervalMs: 400,
  silentAfterMs: 2500,
  minBackoffMs: 100,
  maxBackoffMs: 1000,
  idleConnectionMs: 10_000
}

/** the timing users get (announce every 5 s, records live 15 s) unless `SCALE_TIMING=fast` */
const SCALE_TIMING = process.env.SCALE_TIMING === 'fast' ? FAST_TIMING : DEFAULT_TIMING

/** mesh sizes (the hub and its dial-out nodes); `SCALE_SIZES=10,25` picks others */
const SIZES = (process.env.SCALE_SIZES ?? '25,50,100').split(',').map(s => Number.parseInt(s, 10)).filter(n => n >= 2)
const FORM_TIMEOUT_MS = 60_000
const CHANGES = 20
const CHANGE_TIMEOUT_MS = 10_000
const IDLE_MS = 5000
/** the churn run: nodes, how many restart each round, how often, for how long (`SCALE_CHURN=0` skips it) */
const CHURN = { nodes: 50, restarted: 10, everyMs: 10_000, forMs: 120_000 }
const RUN_CHURN = process.env.SCALE_CHURN !== '0'

const TARGETS = { convergedS: 2, changeMedianMs: 500, churnSeenMedianMs: 2000 }

interface ScaleRow {
  nodes: number
  /** s from the last start until every node held every other node's record and could route to it */
  convergedS?: number
  /** (holder, signer) pairs still missing a live record, or unroutable, when the wait ended */
  missing: number
  changeMedianMs?: number
  changeP99Ms?: number
  changesLost: number
  changesTried: number
  hubConnections: number
  /** the hub process's CPU time from the first start until converged, per dial-out node */
  hubCpuPerJoinMs?: number
  /** the hub process's CPU time over wall time at idle */
  hubIdleCores: number
  /** heap per dial-out node, in this process, at idle */
  heapPerNodeMb: number
  /** `seenByAllMs` unset: not within FORM_TIMEOUT_MS */
  join?: { seenByAllMs?: number, recordsReceived: number, exchanges: number, connections: number }
}

/** ms from `changer` announcing a new tag until every other node holds it */
async function changeReachesAll (changer: ClawMatrixNode, others: ClawMatrixNode[], tag: string): Promise<number> {
  const arrivals = others.map(async other => await eventTime<CapabilityRecord>(other.capabilities, 'record',
    record => record.peerId === changer.peerId && record.tags.includes(tag), `${other.nodeId} to receive ${tag}`, CHANGE_TIMEOUT_MS))
  const start = performance.now()
  changer.setTags(['bench', tag])
  return Math.max(...await Promise.all(arrivals)) - start
}

function heapUsed (): number {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().heapUsed
}

/** A hub in its own process (so its CPU and connections are its own) and the dial-out nodes here */
class ScaleMesh {
  readonly group: NodeGroup
  hub?: FixtureProcess
  hubAddr = ''
  private hubDir?: string

  constructor (timing: MeshTiming) {
    this.group = new NodeGroup({ timing, metrics: false })
  }

  async startHub (timing: MeshTiming): Promise<void> {
    this.hubDir = await mkdtemp(join(tmpdir(), 'cm-bench-hub-'))
    const args: ClawMatrixNodeArgs = {
      config: { nodeId: 'hub', listen: true, secret: this.group.secret, listenHost: BENCH_HOST, listenPort: 0, proxyPort: 0, dataDir: this.hubDir, relay: { maxReservations: 1024 } },
      timing
    }
    this.hub = await FixtureProcess.start(new URL('./fixtures/clawmatrix-node.js', import.meta.url), args)
    const addr = this.hub.addrs.find(a => !a.includes('/p2p-circuit'))
    if (addr == null) throw new Error('the hub reported no direct address')
    this.hubAddr = addr.includes('/p2p/') ? addr : `${addr}/p2p/${this.hub.peerId}`
  }

  async spoke (nodeId: string, dataDir?: string): Promise<ClawMatrixNode> {
    return await this.group.start({ nodeId, peers: [{ nodeId: 'hub', url: this.hubAddr }], ...(dataDir != null ? { dataDir } : {}) })
  }

  async stop (): Promise<void> {
    await this.group.stop()
    await this.hub?.stop()
    if (this.hubDir != null) await rm(this.hubDir, { recursive: true, force: true })
  }
}

async function measure (size: number): Promise<ScaleRow> {
  const mesh = new ScaleMesh(SCALE_TIMING)
  try {
    await mesh.startHub(SCALE_TIMING)
    const heapBefore = heapUsed()
    const hubCpuAtStart = await mesh.hub!.cpuMs()
    const spokes = await Promise.all(Array.from({ length: size - 1 }, async (_, i) => await mesh.spoke(`spoke-${i + 1}`)))
    const lastStart = performance.now()
    const hubPeerId = mesh.hub!.peerId
    const peerIds = [hubPeerId, ...spokes.map(s => s.peerId)]
    let convergedS: number | undefined
    let hubCpuPerJoinMs: number | undefined
    try {
      convergedS = (await converged(spokes, peerIds, `a ${size}-node mesh to converge`, FORM_TIMEOUT_MS) - lastStart) / 1000
      hubCpuPerJoinMs = (await mesh.hub!.cpuMs() - hubCpuAtStart) / spokes.length
    } catch {}
    const missing = missingPairs(spokes, peerIds)

    const cpuBefore = await mesh.hub!.cpuMs()
    const idleStart = performance.now()
    await sleep(IDLE_MS)
    const hubIdleCores = (await mesh.hub!.cpuMs() - cpuBefore) / (performance.now() - idleStart)
    const hubConnections = await mesh.hub!.connections()
    const heapPerNodeMb = (heapUsed() - heapBefore) / spokes.length / 1e6

    const samples: number[] = []
    let changesLost = 0
    let changesTried = 0
    // a mesh that loses the first three changes loses the rest too: not worth 10 s each
    for (let i = 0; i < CHANGES && !(changesLost >= 3 && samples.length === 0); i++) {
      changesTried++
      const changer = spokes[(i * 7) % spokes.length]
      try {
        samples.push(await changeReachesAll(changer, spokes.filter(n => n !== changer), `change-${i}`))
      } catch {
        changesLost++
      }
    }
    const changes = samples.length > 0 ? summarize(samples) : undefined
    const join = convergedS != null ? await measureJoin(mesh, spokes, peerIds) : undefined
    return {
      nodes: size,
      ...(convergedS != null ? { convergedS } : {}),
      ...(hubCpuPerJoinMs != null ? { hubCpuPerJoinMs } : {}),
      missing,
      ...(changes != null ? { changeMedianMs: changes.median, changeP99Ms: changes.p99 } : {}),
      changesLost,
      changesTried,
      hubConnections,
      hubIdleCores,
      heapPerNodeMb,
      ...(join != null ? { join } : {})
    }
  } finally {
    await mesh.stop()
  }
}

/** one more node joins a formed mesh: until it and every node hold each other and can route, and what it moved */
async function measureJoin (mesh: ScaleMesh, spokes: ClawMatrixNode[], peerIds: string[]): Promise<ScaleRow['join']> {
  const started = performance.now()
  const joiner = await mesh.spoke('joiner')
  const all = [...spokes, joiner]
  let seenByAllMs: number | undefined
  try {
    seenByAllMs = await converged(all, [...peerIds, joiner.peerId], 'the joiner to be seen by all and reach all', FORM_TIMEOUT_MS) - started
  } catch {}
  const stats = joiner.capabilities.syncStats()
  return { seenByAllMs, recordsReceived: stats.recordsReceived, exchanges: stats.exchanges, connections: joiner.libp2p.getConnections().length }
}

interface ChurnResult {
  restarts: number
  /** ms a restarted node took to start (identity, cluster key, listeners), in the process it shares with the others */
  startMedianMs: number
  seenMedianMs: number
  seenP90Ms: number
  notSeen: number
  /** live records a restarted node held, a second after it started, of nodes stopped longer than a record lives */
  staleRecords: number
}

/**
 * `CHURN.nodes` nodes; every `everyMs`, `restarted` of them stop and start again on the same data
 * dir (same peer ID): how long until every other node holds the restarted node's new record
 */
async function measureChurn (): Promise<ChurnResult> {
  const mesh = new ScaleMesh(SCALE_TIMING)
  try {
    await mesh.startHub(SCALE_TIMING)
    const dirs = await Promise.all(Array.from({ length: CHURN.nodes - 1 }, async () => await mesh.group.tempDir()))
    const current: ClawMatrixNode[] = await Promise.all(dirs.map(async (dir, i) => await mesh.spoke(`spoke-${i + 1}`, dir)))
    const peerIds = [mesh.hub!.peerId, ...current.map(s => s.peerId)]
    await converged(current, peerIds, 'the churn mesh to converge', FORM_TIMEOUT_MS)
    const seen: number[] = []
    const starts: number[] = []
    const stoppedAt = new Map<string, number>()
    let notSeen = 0
    let staleRecords = 0
    let restarts = 0
    const rounds = Math.floor(CHURN.forMs / CHURN.everyMs)
    for (let round = 0; round < rounds; round++) {
      const roundStart = performance.now()
      const picked = Array.from({ length: CHURN.restarted }, (_, k) => (round * CHURN.restarted + k) % current.length)
      await Promise.all(picked.map(async index => {
        const old = current[index]
        const seqBefore = old.capabilities.own()?.seq ?? 0n
        stoppedAt.set(old.peerId, Date.now())
        await old.stop()
        const restartedAt = performance.now()
        const node = await mesh.spoke(old.nodeId, dirs[index])
        starts.push(performance.now() - restartedAt)
        current[index] = node
        stoppedAt.delete(node.peerId)
        restarts++
        const others = () => current.filter(n => n !== node)
        try {
          await waitUntil(`${node.nodeId} to be seen by all after its restart`, () => others().every(o => {
            const entry = o.capabilities.table.get(node.peerId)
            return entry != null && !entry.expired && entry.record.seq > seqBefore
          }), { timeoutMs: CHURN.everyMs * 2, intervalMs: 20 })
          seen.push(performance.now() - restartedAt)
        } catch {
          notSeen++
        }
        const now = Date.now()
        staleRecords += node.capabilities.table.live().filter(e => {
          const down = stoppedAt.get(e.record.peerId)
          return down != null && now - down > SCALE_TIMING.recordTtlMs
        }).length
      }))
      const left = CHURN.everyMs - (performance.now() - roundStart)
      if (left > 0) await sleep(left)
    }
    const s = summarize(seen.length > 0 ? seen : [Number.NaN])
    const p90 = seen.length > 0 ? [...seen].sort((a, b) => a - b)[Math.ceil(0.9 * seen.length) - 1] : Number.NaN
    return { restarts, startMedianMs: summarize(starts).median, seenMedianMs: s.median, seenP90Ms: p90, notSeen, staleRecords }
  } finally {
    await mesh.stop()
  }
}

function cell (value: number | undefined, digits: number, none = '-'): string {
  return value == null ? none : value.toFixed(digits)
}

/**
 * A listening hub in its own process and N-1 nodes that only dial out to it, in this process, on
 * loopback: how long until every node holds every record and can route to every other, how fast
 * a change then reaches all, what the hub holds, spends per node while the mesh forms and at
 * idle, what a join costs; then a
 * churn run. Targets beside the figures: converged within 2 s of the last start, a change in all
 * within 500 ms (median), a restarted node seen by all within 2 s (median).
 */
export async function runScaleBench (): Promise<void> {
  const table = new Table({
    head: ['nodes', 'converged after', 'missing pairs', 'change median', 'change p99', 'changes lost', 'hub conns', 'hub CPU/join', 'hub idle CPU', 'heap/node', 'join: seen by all', 'join: records in', 'join: conns'],
    style: { head: [], border: [] }
  })
  const rows: ScaleRow[] = []
  for (const size of SIZES) {
    const row = await measure(size)
    rows.push(row)
    table.push([
      row.nodes,
      row.convergedS != null ? `${row.convergedS.toFixed(2)} s` : `not in ${FORM_TIMEOUT_MS / 1000} s`,
      `${row.missing} of ${row.nodes * (row.nodes - 1)}`,
      `${cell(row.changeMedianMs, 0)} ms`,
      `${cell(row.changeP99Ms, 0)} ms`,
      `${row.changesLost} of ${row.changesTried}`,
      row.hubConnections,
      `${cell(row.hubCpuPerJoinMs, 0)} ms`,
      `${cell(row.hubIdleCores, 3)} cores`,
      `${cell(row.heapPerNodeMb, 2)} MB`,
      row.join != null ? (row.join.seenByAllMs != null ? `${row.join.seenByAllMs.toFixed(0)} ms` : `not in ${FORM_TIMEOUT_MS / 1000} s`) : '-',
      row.join != null ? `${row.join.recordsReceived} in ${row.join.exchanges} exchange(s)` : '-',
      row.join?.connections ?? '-'
    ])
    console.log(`${size} nodes measured`)
  }
  console.log(`\nhub in its own process, dial-out nodes in this one (announce every ${SCALE_TIMING.announceIntervalMs} ms, records live ${SCALE_TIMING.recordTtlMs} ms)\n${table.toString()}`)
  for (const row of rows) {
    printFigures(`${row.nodes} nodes: targets`, [
      { label: 'converged after the last start', value: row.convergedS ?? FORM_TIMEOUT_MS / 1000, unit: 's', target: { max: TARGETS.convergedS } },
      ...(row.changeMedianMs != null ? [{ label: 'a change in every node, median', value: row.changeMedianMs, unit: 'ms', samples: row.changesTried - row.changesLost, target: { max: TARGETS.changeMedianMs } }] : [])
    ])
  }
  if (!RUN_CHURN) return
  const churn = await measureChurn()
  printFigures(`churn: ${CHURN.nodes} nodes, ${CHURN.restarted} restarted every ${CHURN.everyMs / 1000} s for ${CHURN.forMs / 1000} s`, [
    { label: 'restarted node seen by all, median', value: churn.seenMedianMs, unit: 'ms', samples: churn.restarts - churn.notSeen, target: { max: TARGETS.churnSeenMedianMs } },
    { label: 'restarted node seen by all, p90', value: churn.seenP90Ms, unit: 'ms', samples: churn.restarts - churn.notSeen },
    { label: 'of which starting the node, median', value: churn.startMedianMs, unit: 'ms', samples: churn.restarts },
    { label: 'restarts not seen by all within 20 s', value: churn.notSeen, unit: `of ${churn.restarts}` },
    { label: 'stale records handed to restarted nodes', value: churn.staleRecords, unit: 'records', target: { max: 0 } }
  ])
}
