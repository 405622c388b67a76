import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createLibp2p } from 'libp2p'
import { resolveConfig } from '../src/config/resolve.js'
import { meshBaseServices, meshLibp2pOptions } from '../src/mesh/libp2p-options.js'
import { pskFromSecret } from '../src/mesh/psk.js'
import { standaloneToolExecutor } from '../src/standalone/tools/index.js'
import { toolInitFromConfig, toolService } from '../src/tool/index.js'
import { BENCH_HOST } from './lib/node-group.js'
import { printFigures } from './lib/report.js'
import { summarize } from './lib/stats.js'
import { waitUntil } from './lib/wait.js'
import type { Figure } from './lib/report.js'
import type { ConfigInput } from '../src/config/schema.js'
import type { ToolService } from '../src/tool/index.js'
import type { Libp2p } from '@libp2p/interface'

type ToolNode = Libp2p<{ tool: ToolService }>

const WARMUP_CALLS = 20
const CALLS = 300
const READ_BYTES = 100 * 1024 * 1024
const READ_RUNS = 3
const MB = 1e6

/** tool-plane nodes of one mesh in this process; `stop()` releases every node and dir */
class ToolBenchNodes {
  private readonly secret = randomBytes(16).toString('hex')
  private readonly nodes: Libp2p[] = []
  private readonly dirs: string[] = []

  async tempDir (): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'cm-bench-tool-'))
    this.dirs.push(dir)
    return dir
  }

  async start (nodeId: string, listen: boolean, config: Omit<ConfigInput, 'nodeId'> = {}): Promise<ToolNode> {
    const resolved = resolveConfig({ nodeId, dataDir: await this.tempDir(), ...config })
    const executor = standaloneToolExecutor({ maxOutputBytes: resolved.toolProxy.maxOutputBytes })
    const services = { ...meshBaseServices({ listen }), tool: toolService(toolInitFromConfig(resolved, executor)) }
    const node = await createLibp2p(meshLibp2pOptions({
      privateKey: await generateKeyPair('Ed25519'),
      psk: await pskFromSecret(this.secret),
      listen,
      listenHost: BENCH_HOST,
      listenPort: 0
    }, services)) as unknown as ToolNode
    this.nodes.push(node)
    return node
  }

  async stop (): Promise<void> {
    await Promise.all(this.nodes.splice(0).map(async n => { await Promise.resolve(n.stop()).catch(() => {}) }))
    await Promise.all(this.dirs.splice(0).map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}

async function timeCalls (run: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < WARMUP_CALLS + CALLS; i++) {
    const start = performance.now()
    await run()
    if (i >= WARMUP_CALLS) samples.push(performance.now() - start)
  }
  return samples
}

function latencyFigures (label: string, samples: number[], baseline: { label: string, value: number }): Figure[] {
  const s = summarize(samples)
  return [
    { label: `${label}, median`, value: s.median, unit: 'ms', samples: s.count, baseline },
    { label: `${label}, p99`, value: s.p99, unit: 'ms', samples: s.count }
  ]
}

async function readThroughput (caller: ToolNode, server: ToolNode, path: string): Promise<number> {
  const rates: number[] = []
  for (let i = 0; i < READ_RUNS; i++) {
    const start = performance.now()
    const result = await caller.services.tool.call(server.peerId, { tool: 'read', args: { path }, timeoutMs: 120_000 })
    const seconds = (performance.now() - start) / 1000
    if (result.content.length !== READ_BYTES || result.truncated) throw new Error(`read returned ${result.content.length} bytes`)
    rates.push(READ_BYTES / MB / seconds)
  }
  return summarize(rates).median
}

/**
 * The tool plane's figures: a trivial remote `exec` (`true`), direct and through a relay hub,
 * against the same command run by the executor in-process; and a 100 MiB `read` with
 * maxOutputBytes raised for it.
 */
export async function runToolBench (): Promise<void> {
  const nodes = new ToolBenchNodes()
  try {
    const root = await nodes.tempDir()
    const file = join(root, 'big.txt')
    await writeFile(file, Buffer.alloc(READ_BYTES, 'a'))
    const serving: Omit<ConfigInput, 'nodeId'> = { toolProxy: { enabled: true, allow: ['exec', 'read'], roots: [root], maxOutputBytes: 128 * 1024 * 1024 } }
    const hub = await nodes.start('hub', true)
    const [direct, behindNat, caller] = await Promise.all([
      nodes.start('direct', true, serving),
      nodes.start('relayed', false, serving),
      nodes.start('caller', false)
    ])
    await behindNat.dial(hub.getMultiaddrs()[0])
    await caller.dial(hub.getMultiaddrs()[0])
    await waitUntil('a relay reservation', () => behindNat.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')))
    await caller.dial(direct.getMultiaddrs()[0])
    const circuit = behindNat.getMultiaddrs().find(a => a.toString().includes('/p2p-circuit'))
    if (circuit == null) throw new Error('no circuit address')
    await caller.dial(circuit)

    const trivial = { tool: 'exec', args: { command: 'true' } }
    const executor = standaloneToolExecutor()
    const local = await timeCalls(async () => await executor.invoke({ ...trivial, caller: { peerId: 'local' }, timeoutMs: 60_000, signal: AbortSignal.timeout(60_000) }))
    const baseline = { label: 'in-process exec', value: summarize(local).median }
    const directMs = await timeCalls(async () => await caller.services.tool.call(direct.peerId, trivial))
    const relayedMs = await timeCalls(async () => await caller.services.tool.call(behindNat.peerId, trivial))

    printFigures('tool plane: trivial exec (`true`), new stream per call', [
      { label: 'in-process exec (no mesh), median', value: baseline.value, unit: 'ms', samples: local.length },
      ...latencyFigures('remote exec, direct', directMs, baseline),
      ...latencyFigures('remote exec, via relay hub', relayedMs, baseline)
    ])
    printFigures('tool plane: 100 MiB read (maxOutputBytes 128 MiB), median of 3', [
      { label: 'read throughput, direct', value: await readThroughput(caller, direct, file), unit: 'MB/s', samples: READ_RUNS },
      { label: 'read throughput, via relay hub', value: await readThroughput(caller, behindNat, file), unit: 'MB/s', samples: READ_RUNS }
    ])
  } finally {
    await nodes.stop()
  }
}
