import { performance } from 'node:perf_hooks'
import { startUpstreamServer } from '../src/demo/upstream-server.js'
import { printFigures } from './lib/report.js'
import { BENCH_API_TOKEN, ModelBenchNodes } from './model-nodes.js'
import { BENCH_MODEL, benchReply } from './model-upstream.js'
import type { Figure } from './lib/report.js'
import type { BenchModelNode } from './model-nodes.js'
import type { UpstreamServer } from '../src/demo/upstream-server.js'

/** clients sending at once, each its next request as soon as its last one ended */
const CONCURRENT = 50
/** requests per round; rounds of the two rankings alternate */
const REQUESTS = 600
const ROUNDS = 2
/** chunks per answer, and the pause before each: the slow upstream is fifty times slower per token */
const CHUNKS = 20
const FAST_DELAY_MS = 1
const SLOW_DELAY_MS = 50
const TARGETS = { leastBusyOverClosest: 1.2 }

interface Round {
  seconds: number
  servedBy: Map<string, number>
}

/** `REQUESTS` streamed requests from `CONCURRENT` clients in a closed loop; throws on any answer but 200 */
async function round (baseUrl: string): Promise<Round> {
  const body = JSON.stringify({ model: BENCH_MODEL, messages: [{ role: 'user', content: 'count' }], max_tokens: CHUNKS, stream: true })
  const servedBy = new Map<string, number>()
  let sent = 0
  const start = performance.now()
  await Promise.all(Array.from({ length: CONCURRENT }, async () => {
    while (sent < REQUESTS) {
      sent++
      const res = await fetch(`${baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_TOKEN}` }, body })
      const text = await res.text()
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text}`)
      const node = res.headers.get('x-clawmatrix-node') ?? '?'
      servedBy.set(node, (servedBy.get(node) ?? 0) + 1)
    }
  }))
  return { seconds: (performance.now() - start) / 1000, servedBy }
}

async function upstream (delayMs: number): Promise<UpstreamServer> {
  return await startUpstreamServer(request => ({ ...benchReply(request.body), delayMs }))
}

/**
 * Two nodes serve one model, one fifty times slower per token. The consumer reaches the slow one
 * directly and the fast one only through a relay hub, so "always the closest" (the former
 * ranking: direct first) sends it everything until it answers busy; least-busy weighs both, the
 * relayed path being about as fast on loopback. Both rankings run on the same consumer node, in
 * alternating rounds, each through its own OpenAI route.
 */
export async function runRoutingBench (): Promise<void> {
  const fastUpstream = await upstream(FAST_DELAY_MS)
  const slowUpstream = await upstream(SLOW_DELAY_MS)
  const nodes = new ModelBenchNodes()
  try {
    const serving = (baseUrl: string): { modelConcurrency: number, models: Array<{ id: string, upstream: { baseUrl: string } }> } =>
      ({ modelConcurrency: 64, models: [{ id: BENCH_MODEL, upstream: { baseUrl } }] })
    const hub = await nodes.start('hub', true)
    const slow = await nodes.start('slow', true, serving(slowUpstream.baseUrl))
    const fast = await nodes.start('fast', false, serving(fastUpstream.baseUrl))
    const consumer = await nodes.start('consumer', false)
    const listenAddr = (node: BenchModelNode): string => node.libp2p.getMultiaddrs().map(a => a.toString()).find(a => !a.includes('/p2p-circuit')) ?? ''
    await nodes.joinHub(fast, listenAddr(hub))
    await nodes.joinHub(consumer, listenAddr(hub))
    await nodes.connect(consumer, listenAddr(slow), 'direct')
    await nodes.connect(consumer, fast.libp2p.getMultiaddrs().map(a => a.toString()).find(a => a.includes('/p2p-circuit')) ?? '', 'relayed')
    const ways = {
      'least-busy': await nodes.api(consumer),
      closest: await nodes.api({ ...consumer, router: nodes.router(consumer.libp2p, 'closest') })
    }
    const results: Record<keyof typeof ways, Round[]> = { 'least-busy': [], closest: [] }
    // a short warm-up of both, then the rounds in turn
    for (const baseUrl of Object.values(ways)) await round(baseUrl)
    for (let i = 0; i < ROUNDS; i++) {
      for (const name of Object.keys(ways) as Array<keyof typeof ways>) results[name].push(await round(ways[name]))
    }
    const throughput = (rounds: Round[]): number => rounds.length * REQUESTS / rounds.reduce((s, r) => s + r.seconds, 0)
    const share = (rounds: Round[], nodeId: string): number => rounds.reduce((n, r) => n + (r.servedBy.get(nodeId) ?? 0), 0) / (rounds.length * REQUESTS)
    const leastBusy = throughput(results['least-busy'])
    const closest = throughput(results.closest)
    const figures: Figure[] = [
      { label: 'throughput, always the closest', value: closest, unit: 'req/s', samples: ROUNDS * REQUESTS, note: `fast node served ${(share(results.closest, 'fast') * 100).toFixed(0)} %` },
      { label: 'throughput, least-busy', value: leastBusy, unit: 'req/s', samples: ROUNDS * REQUESTS, note: `fast node served ${(share(results['least-busy'], 'fast') * 100).toFixed(0)} %` },
      {
        label: 'least-busy / always the closest',
        value: leastBusy / closest,
        unit: 'x',
        target: { min: TARGETS.leastBusyOverClosest },
        note: `${CONCURRENT} clients, ${CHUNKS}-chunk streams, ${FAST_DELAY_MS} vs ${SLOW_DELAY_MS} ms per chunk`
      }
    ]
    printFigures(`routing: two serving nodes of unequal speed, ${CONCURRENT} concurrent streamed requests (loopback, one process; slow node direct, fast node via relay hub)`, figures)
  } finally {
    await nodes.stop()
    await fastUpstream.close()
    await slowUpstream.close()
  }
}
