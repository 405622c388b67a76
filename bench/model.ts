import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { freePort } from '../src/cli/free-port.js'
import { startUpstreamServer } from '../src/demo/upstream-server.js'
import { FixtureProcess } from './lib/fixture-process.js'
import { printFigures } from './lib/report.js'
import { median, summarize } from './lib/stats.js'
import { BENCH_API_TOKEN, ModelBenchNodes } from './model-nodes.js'
import { BENCH_MODEL, SHORT_STREAM_CHUNKS, benchReply } from './model-upstream.js'
import { startPlainProxy } from './plain-proxy.js'
import type { ModelFixtureArgs } from './model-fixture.js'
import type { Figure } from './lib/report.js'

const FIXTURE = new URL('./model-fixture.js', import.meta.url)
// enough requests for V8 to optimize the hot paths of every process before the samples count
const WARMUP = 300
const SMALL_REQUESTS = 400
const FIRST_CHUNK_REQUESTS = 300
const LONG_STREAM_CHUNKS = 100_000
const LONG_STREAM_RUNS = 5

const TARGETS = { directAddedMs: 2, relayedAddedMs: 4, chunksPerSecond: 20_000 }

/** one way to reach the upstream: straight, through a plain HTTP proxy, or through a consumer node's proxy */
interface Way {
  name: 'straight' | 'plain HTTP proxy' | 'direct peer' | 'via relay hub'
  baseUrl: string
  token: string
}

function request (stream: boolean, chunks = SHORT_STREAM_CHUNKS): string {
  return JSON.stringify({ model: BENCH_MODEL, messages: [{ role: 'user', content: 'ping' }], ...(stream ? { stream: true, max_tokens: chunks } : {}) })
}

async function post (way: Way, body: string): Promise<Response> {
  const res = await fetch(`${way.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${way.token}` },
    body
  })
  if (res.status !== 200) throw new Error(`${way.name}: HTTP ${res.status} ${await res.text()}`)
  return res
}

/** ms for a whole small non-streamed exchange */
async function smallRequest (way: Way): Promise<number> {
  const start = performance.now()
  await (await post(way, request(false))).arrayBuffer()
  return performance.now() - start
}

/** ms from sending a streamed request to its first chunk of body */
async function firstChunk (way: Way): Promise<number> {
  const start = performance.now()
  const res = await post(way, request(true))
  const reader = res.body!.getReader()
  const first = await reader.read()
  const elapsed = performance.now() - start
  if (first.done === true) throw new Error(`${way.name}: empty stream`)
  while (!(await reader.read()).done) {}
  return elapsed
}

/** SSE events per second over one long stream (events end in a blank line) */
async function longStream (way: Way): Promise<number> {
  const start = performance.now()
  const res = await post(way, request(true, LONG_STREAM_CHUNKS))
  let events = 0
  let previous = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (const byte of chunk) {
      if (byte === 0x0a && previous === 0x0a) events++
      previous = byte
    }
  }
  const seconds = (performance.now() - start) / 1000
  const expected = LONG_STREAM_CHUNKS + 3
  if (events !== expected) throw new Error(`${way.name}: ${events} events arrived, expected ${expected}`)
  return events / seconds
}

/** samples of `way`, and of the straight call taken in turn with it, so drift hits both alike */
interface Paired {
  way: number[]
  straight: number[]
}

/**
 * Each way is measured against the straight call in a block of its own, the two taken in turn:
 * the processes of the other ways stay idle meanwhile, as they would on machines of their own.
 */
async function pairedWithStraight (ways: Way[], rounds: number, measure: (way: Way) => Promise<number>): Promise<Map<Way, Paired>> {
  const [straight, ...others] = ways
  const samples = new Map<Way, Paired>()
  for (const way of others) {
    for (let i = 0; i < WARMUP; i++) {
      await measure(straight)
      await measure(way)
    }
    const paired: Paired = { way: [], straight: [] }
    for (let i = 0; i < rounds; i++) {
      paired.straight.push(await measure(straight))
      paired.way.push(await measure(way))
    }
    samples.set(way, paired)
  }
  return samples
}

const ADDED_TARGETS: Partial<Record<Way['name'], number>> = { 'direct peer': TARGETS.directAddedMs, 'via relay hub': TARGETS.relayedAddedMs }

function latencyFigures (what: string, samples: Map<Way, Paired>): Figure[] {
  const allStraight = summarize([...samples.values()].flatMap(p => p.straight))
  const figures: Figure[] = [
    { label: `${what}, straight, median`, value: allStraight.median, unit: 'ms', samples: allStraight.count },
    { label: `${what}, straight, p99`, value: allStraight.p99, unit: 'ms', samples: allStraight.count }
  ]
  for (const [way, paired] of samples) {
    const s = summarize(paired.way)
    const straight = summarize(paired.straight)
    const addedTarget = ADDED_TARGETS[way.name]
    const baseline = { label: 'straight in the same block', value: straight.median }
    figures.push({
      label: `${what}, ${way.name}, median`,
      value: s.median,
      unit: 'ms',
      samples: s.count,
      baseline,
      ...(addedTarget != null ? { target: { maxAboveBaseline: addedTarget } } : {})
    })
    figures.push({ label: `${what}, ${way.name}, p99`, value: s.p99, unit: 'ms', samples: s.count, baseline: { ...baseline, value: straight.p99 } })
  }
  return figures
}

/** the address of `fixture` that matches `path`: its listen address, or its circuit address */
function addressOf (fixture: FixtureProcess, path: 'direct' | 'relayed'): string {
  const addr = fixture.addrs.find(a => a.includes('/p2p-circuit') === (path === 'relayed'))
  if (addr == null) throw new Error(`fixture ${fixture.peerId} has no ${path} address`)
  return addr
}

interface Setup {
  ways: Way[]
  stop(): Promise<void>
}

/** The upstream and every node in a process of its own, as on separate machines */
async function separateProcesses (): Promise<Setup> {
  const fixtures: FixtureProcess[] = []
  const stop = async (): Promise<void> => { await Promise.all(fixtures.map(async f => { await f.stop() })) }
  const start = async (args: ModelFixtureArgs): Promise<FixtureProcess> => {
    const fixture = await FixtureProcess.start(FIXTURE, args)
    fixtures.push(fixture)
    return fixture
  }
  try {
    const secret = randomBytes(16).toString('hex')
    const upstreamUrl = (await start({ role: 'upstream' })).addrs[0]
    const plainProxyUrl = (await start({ role: 'plain proxy', upstreamBaseUrl: upstreamUrl })).addrs[0]
    const models = [{ id: BENCH_MODEL, upstream: { api: 'openai-completions' as const, baseUrl: upstreamUrl, model: 'upstream-model', allowImageUrls: false } }]
    const hub = await start({ role: 'node', nodeId: 'hub', secret, listen: true })
    const hubAddr = addressOf(hub, 'direct')
    const office = await start({ role: 'node', nodeId: 'office', secret, listen: true, models })
    const lab = await start({ role: 'node', nodeId: 'lab', secret, listen: false, models, hubAddr })
    const [homePort, cafePort] = [await freePort(), await freePort()]
    await start({ role: 'node', nodeId: 'home', secret, listen: false, hubAddr, connect: { addr: addressOf(office, 'direct'), path: 'direct' }, apiPort: homePort })
    await start({ role: 'node', nodeId: 'cafe', secret, listen: false, hubAddr, connect: { addr: addressOf(lab, 'relayed'), path: 'relayed' }, apiPort: cafePort })
    return {
      ways: [
        { name: 'straight', baseUrl: upstreamUrl, token: 'none' },
        { name: 'plain HTTP proxy', baseUrl: plainProxyUrl, token: 'none' },
        { name: 'direct peer', baseUrl: `http://127.0.0.1:${homePort}/v1`, token: BENCH_API_TOKEN },
        { name: 'via relay hub', baseUrl: `http://127.0.0.1:${cafePort}/v1`, token: BENCH_API_TOKEN }
      ],
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/** The same mesh with the upstream and every node in this process: the protocol's own cost, without scheduling between processes */
async function oneProcess (): Promise<Setup> {
  const upstream = await startUpstreamServer(received => benchReply(received.body))
  const plainProxy = await startPlainProxy(upstream.baseUrl)
  const nodes = new ModelBenchNodes()
  const stop = async (): Promise<void> => {
    await nodes.stop()
    await plainProxy.close()
    await upstream.close()
  }
  try {
    const models = [{ id: BENCH_MODEL, upstream: { baseUrl: upstream.baseUrl, model: 'upstream-model' } }]
    const hub = await nodes.start('hub', true)
    const hubAddr = hub.libp2p.getMultiaddrs()[0].toString()
    const office = await nodes.start('office', true, { models, modelConcurrency: 64 })
    const lab = await nodes.start('lab', false, { models, modelConcurrency: 64 })
    const home = await nodes.start('home', false)
    const cafe = await nodes.start('cafe', false)
    for (const node of [lab, home, cafe]) await nodes.joinHub(node, hubAddr)
    await nodes.connect(home, office.libp2p.getMultiaddrs()[0].toString(), 'direct')
    const circuit = lab.libp2p.getMultiaddrs().map(a => a.toString()).find(a => a.includes('/p2p-circuit')) ?? ''
    await nodes.connect(cafe, circuit, 'relayed')
    return {
      ways: [
        { name: 'straight', baseUrl: upstream.baseUrl, token: 'none' },
        { name: 'plain HTTP proxy', baseUrl: plainProxy.baseUrl, token: 'none' },
        { name: 'direct peer', baseUrl: await nodes.api(home), token: BENCH_API_TOKEN },
        { name: 'via relay hub', baseUrl: await nodes.api(cafe), token: BENCH_API_TOKEN }
      ],
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}

async function measure (title: string, setup: () => Promise<Setup>): Promise<void> {
  const { ways, stop } = await setup()
  try {
    const small = await pairedWithStraight(ways, SMALL_REQUESTS, smallRequest)
    const first = await pairedWithStraight(ways, FIRST_CHUNK_REQUESTS, firstChunk)
    const rates = new Map(ways.map(w => [w, [] as number[]]))
    for (let i = 0; i < LONG_STREAM_RUNS; i++) {
      for (const way of ways) rates.get(way)?.push(await longStream(way))
    }

    const figures = [
      ...latencyFigures('small non-streamed request', small),
      ...latencyFigures('streamed request, time to first chunk', first)
    ]
    const straightRate = median(rates.get(ways[0]) ?? [])
    for (const way of ways) {
      figures.push({
        label: `long stream (${LONG_STREAM_CHUNKS} chunks), ${way.name}, median`,
        value: median(rates.get(way) ?? []),
        unit: 'chunks/s',
        samples: LONG_STREAM_RUNS,
        ...(way.name !== 'straight' ? { baseline: { label: 'straight', value: straightRate } } : {}),
        ...(way.name === 'direct peer' || way.name === 'via relay hub' ? { target: { min: TARGETS.chunksPerSecond } } : {})
      })
    }
    printFigures(title, figures)
  } finally {
    await stop()
  }
}

/**
 * The model plane's cost on loopback: straight to the upstream; through one plain Node HTTP proxy
 * (the yardstick for a hop that does nothing but forward); through the proxy of a node with a
 * direct connection to the serving node; and through the proxy of a node that reaches the serving
 * node only via a relay hub. Measured twice: with one process per node (as
 * on separate machines, but sharing this machine's cores), and with everything in one process.
 */
export async function runModelBench (): Promise<void> {
  await measure('model plane: OpenAI proxy through the mesh (loopback, one process per node)', separateProcesses)
  await measure('model plane: OpenAI proxy through the mesh (loopback, all in one process)', oneProcess)
}
