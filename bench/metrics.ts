import { performance } from 'node:perf_hooks'
import { createClawMatrix } from '../src/node/clawmatrix.js'
import { startUpstreamServer } from '../src/demo/upstream-server.js'
import { printFigures } from './lib/report.js'
import { dialAddr, NodeGroup } from './lib/node-group.js'
import { median } from './lib/stats.js'
import { waitUntil } from './lib/wait.js'
import { BENCH_MODEL, benchReply } from './model-upstream.js'
import type { ClawMatrixNode } from '../src/node/clawmatrix.js'

const TOKEN = 'bench-metrics-token'
const WARMUP = 300
/** requests per consumer, taken in turn with the other consumer's so both see the same machine */
const REQUESTS = 600
const SCRAPES = 50
/** what the registry and libp2p's metrics may add to a whole small model request through the mesh */
const TARGET_ADDED_MS = 0.25

function proxyUrl (node: ClawMatrixNode): string {
  return `http://127.0.0.1:${node.api.port}`
}

/** ms for a whole model request through `node`'s proxy */
async function request (node: ClawMatrixNode, stream: boolean): Promise<number> {
  const start = performance.now()
  const res = await fetch(`${proxyUrl(node)}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ model: BENCH_MODEL, messages: [{ role: 'user', content: 'ping' }], max_tokens: stream ? 20 : 1, ...(stream ? { stream: true } : {}) })
  })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`${node.nodeId}: HTTP ${res.status}`)
  return performance.now() - start
}

/** medians of `requests` turns through `on` and `off` in alternation */
async function alternate (on: ClawMatrixNode, off: ClawMatrixNode, stream: boolean, requests: number): Promise<{ on: number[], off: number[] }> {
  const samples = { on: [] as number[], off: [] as number[] }
  for (let i = 0; i < requests; i++) {
    // which goes first alternates too, so neither always follows the other's garbage
    if (i % 2 === 0) {
      samples.on.push(await request(on, stream))
      samples.off.push(await request(off, stream))
    } else {
      samples.off.push(await request(off, stream))
      samples.on.push(await request(on, stream))
    }
  }
  return samples
}

/**
 * What observability costs on the request path: one serving node and two consumer nodes of one
 * mesh, the same but for `metrics: false` on one of them; and what a scrape of GET /metrics takes.
 */
export async function runMetricsBench (): Promise<void> {
  const upstream = await startUpstreamServer(received => benchReply(received.body))
  const group = new NodeGroup()
  try {
    const serving = await group.start({ nodeId: 'serving', listen: true, apiToken: TOKEN, models: [{ id: BENCH_MODEL, upstream: { baseUrl: upstream.baseUrl } }] })
    const peers = [{ nodeId: 'serving', url: dialAddr(serving) }]
    const on = await group.start({ nodeId: 'with-metrics', apiToken: TOKEN, peers })
    const off = await createClawMatrix({ ...await group.baseConfig(), nodeId: 'without-metrics', apiToken: TOKEN, peers }, { metrics: false })
    group.nodes.push(off)
    await waitUntil('both consumers to see the served model', () => [on, off].every(n => n.peers().some(p => p.connected && p.models.some(m => m.id === BENCH_MODEL))), { timeoutMs: 20_000 })

    await alternate(on, off, false, WARMUP)
    const small = await alternate(on, off, false, REQUESTS)
    const streamed = await alternate(on, off, true, REQUESTS / 2)

    const scrapes: number[] = []
    let text = ''
    for (let i = 0; i < SCRAPES; i++) {
      const start = performance.now()
      const res = await fetch(`${proxyUrl(on)}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
      text = await res.text()
      scrapes.push(performance.now() - start)
    }
    const series = text.split('\n').filter(line => line !== '' && !line.startsWith('#')).length

    const baseline = (samples: number[]): { label: string, value: number } => ({ label: 'metrics: false', value: median(samples) })
    printFigures('Metrics on the request path (a consumer node with the registry against one without, in turn)', [
      { label: 'small request, median', value: median(small.on), unit: 'ms', samples: small.on.length, target: { maxAboveBaseline: TARGET_ADDED_MS }, baseline: baseline(small.off) },
      { label: 'streamed request (20 chunks), median', value: median(streamed.on), unit: 'ms', samples: streamed.on.length, target: { maxAboveBaseline: TARGET_ADDED_MS }, baseline: baseline(streamed.off) },
      { label: 'GET /metrics after the run, median', value: median(scrapes), unit: 'ms', samples: SCRAPES, note: `${series} series, ${Math.round(text.length / 1024)} KiB` }
    ])
  } finally {
    await group.stop()
    await upstream.close()
  }
}
