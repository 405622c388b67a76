import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { handoffThroughMesh } from '../src/handoff/index.js'
import { addressOf, connectOver, joinHub, startHandoffNode } from './handoff-nodes.js'
import { FixtureProcess, killAllFixtures } from './lib/fixture-process.js'
import { printFigures } from './lib/report.js'
import { median, summarize } from './lib/stats.js'
import type { HandoffNodeArgs } from './fixtures/handoff-node.js'
import type { BenchAgent, BenchHandoffNode } from './handoff-nodes.js'
import type { Figure } from './lib/report.js'
import type { AgentRunEvent, AgentRunner } from '../src/host/ports.js'

const HANDOFF_FIXTURE = new URL('./fixtures/handoff-node.js', import.meta.url)

const WARMUP = 20
const ROUNDS = 200
const KILLS = 5

type Path = 'direct' | 'relayed'

/** the cheapest real agent program: the process runner's own cost is part of the figure */
const ECHO: BenchAgent = {
  id: 'echo',
  command: existsSync('/bin/echo') ? ['/bin/echo', 'ok'] : [process.execPath, '-e', 'process.stdout.write("ok\\n")']
}

/** prints a line every 20 ms until killed */
const LOOPER: BenchAgent = { id: 'looper', command: [process.execPath, '-e', 'setInterval(() => process.stdout.write("tick\\n"), 20)'] }

/** An agent answered in-process: what is left is the protocol, the mesh and the caller */
class InstantRunner implements AgentRunner {
  canRun (): boolean { return true }
  async * run (): AsyncGenerator<AgentRunEvent> {
    yield { type: 'delta', text: 'ok\n' }
    yield { type: 'result', result: { success: true } }
  }

  async send (): Promise<{ accepted: boolean }> { return { accepted: true } }
}

/** ms for one whole handoff: routing, stream, run, every delta, the result */
async function roundTrip (caller: BenchHandoffNode, target: string): Promise<number> {
  const start = performance.now()
  let success = false
  for await (const event of handoffThroughMesh(caller, target, 'ping', { timeoutMs: 10_000 })) {
    if (event.type === 'result') success = event.result.success
  }
  if (!success) throw new Error(`handoff to ${target} failed`)
  return performance.now() - start
}

async function measureRoundTrips (caller: BenchHandoffNode, targets: Record<string, string>, label: (target: string) => string): Promise<Figure[]> {
  const samples = new Map<string, number[]>(Object.keys(targets).map(t => [t, []]))
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    for (const [target, node] of Object.entries(targets)) {
      const ms = await roundTrip(caller, node)
      if (i >= WARMUP) samples.get(target)?.push(ms)
    }
  }
  return [...samples].flatMap(([target, values]) => {
    const s = summarize(values)
    return [
      { label: `${label(target)}, median`, value: s.median, unit: 'ms', samples: s.count },
      { label: `${label(target)}, p99`, value: s.p99, unit: 'ms', samples: s.count }
    ]
  })
}

interface FailoverSample {
  /** the dead node's stream failed and the caller chose the other node */
  startedOver: number
  /** the first output of the other node arrived */
  firstOutput: number
}

/**
 * Two serving nodes in their own processes offer `looper`; once the caller gets output, the
 * node running it is killed (SIGKILL). Times from the kill to the caller starting over on the
 * other node, and to that node's first output.
 */
async function failoverOnce (secret: string, hubAddr: string, caller: BenchHandoffNode, round: number): Promise<FailoverSample> {
  const args = (nodeId: string): HandoffNodeArgs => ({ secret, nodeId, hubAddr, agents: [LOOPER] })
  const servers = await Promise.all([`left-${round}`, `right-${round}`].map(async id => await FixtureProcess.start(HANDOFF_FIXTURE, args(id))))
  const stop = new AbortController()
  try {
    for (const server of servers) await connectOver(caller, server.addrs[0], 'relayed')
    let killedAt: number | undefined
    let startedOver: number | undefined
    for await (const event of handoffThroughMesh(caller, 'looper', 'loop', { timeoutMs: 10_000, signal: stop.signal })) {
      if (event.type === 'start' && killedAt != null) startedOver = performance.now() - killedAt
      if (event.type !== 'delta') continue
      if (killedAt == null) {
        const victim = victimOf(caller, servers)
        killedAt = performance.now()
        await victim.kill()
      } else if (startedOver != null) {
        return { startedOver, firstOutput: performance.now() - killedAt }
      }
    }
    throw new Error('the handoff ended without failing over')
  } finally {
    stop.abort()
    await Promise.all(servers.map(async s => { await s.stop() }))
  }
}

/** the serving process running the caller's one handoff */
function victimOf (caller: BenchHandoffNode, servers: FixtureProcess[]): FixtureProcess {
  const streams = caller.libp2p.getConnections().flatMap(c => c.streams.filter(s => s.protocol === caller.libp2p.services.handoff.protocol).map(() => c.remotePeer.toString()))
  const victim = servers.find(s => streams.includes(s.peerId))
  if (victim == null) throw new Error('no handoff stream to either serving node')
  return victim
}

async function measureFailover (secret: string, hubAddr: string, caller: BenchHandoffNode): Promise<Figure[]> {
  const samples: FailoverSample[] = []
  for (let round = 0; round < KILLS; round++) samples.push(await failoverOnce(secret, hubAddr, caller, round))
  const startedOver = samples.map(s => s.startedOver)
  const firstOutput = samples.map(s => s.firstOutput)
  const note = 'serving node SIGKILLed mid-run, relayed, another node offers the agent'
  return [
    { label: 'node death to the caller starting over elsewhere, median', value: median(startedOver), unit: 'ms', samples: KILLS, note },
    { label: 'node death to the caller starting over elsewhere, max', value: Math.max(...startedOver), unit: 'ms', samples: KILLS },
    { label: 'node death to the other node\'s first output, median', value: median(firstOutput), unit: 'ms', samples: KILLS },
    { label: 'node death to the other node\'s first output, max', value: Math.max(...firstOutput), unit: 'ms', samples: KILLS }
  ]
}

/**
 * The agent plane's figures: the round trip of a trivial handoff, direct and through a relay
 * hub (with the standalone process runner and with an in-process agent), and the time from a
 * serving node's death to the caller's failover.
 */
export async function runHandoffBench (): Promise<void> {
  const secret = randomBytes(16).toString('hex')
  const nodes: BenchHandoffNode[] = []
  const start = async (nodeId: string, listen: boolean, agents: BenchAgent[] = [], runner?: AgentRunner): Promise<BenchHandoffNode> => {
    const node = await startHandoffNode({ secret, nodeId, listen, agents, ...(runner != null ? { runner } : {}) })
    nodes.push(node)
    return node
  }
  try {
    const hub = await start('hub', true)
    const hubAddr = addressOf(hub, 'direct')
    const caller = await start('caller', false)
    await joinHub(caller, hubAddr)
    const serving: Record<string, BenchHandoffNode> = {
      'process-direct': await start('process-direct', true, [ECHO]),
      'process-relayed': await start('process-relayed', false, [ECHO]),
      'instant-direct': await start('instant-direct', true, [{ id: 'instant' }], new InstantRunner()),
      'instant-relayed': await start('instant-relayed', false, [{ id: 'instant' }], new InstantRunner())
    }
    for (const [name, node] of Object.entries(serving)) {
      const path: Path = name.endsWith('direct') ? 'direct' : 'relayed'
      if (path === 'relayed') await joinHub(node, hubAddr)
      await connectOver(caller, addressOf(node, path), path)
    }
    const figures = [
      ...await measureRoundTrips(caller, { 'process-direct': 'process-direct', 'process-relayed': 'process-relayed' },
        t => `trivial handoff round trip, /bin/echo agent, ${t.replace('process-', '')}`),
      ...await measureRoundTrips(caller, { 'instant-direct': 'instant-direct', 'instant-relayed': 'instant-relayed' },
        t => `trivial handoff round trip, in-process agent, ${t.replace('instant-', '')}`),
      ...await measureFailover(secret, hubAddr, caller)
    ]
    printFigures('handoff', figures)
  } finally {
    await killAllFixtures()
    await Promise.all(nodes.map(async n => { await Promise.resolve(n.libp2p.stop()).catch(() => {}) }))
  }
}
