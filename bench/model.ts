import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { freePort } from '../src/cli/free-port.js'
import { startUpstreamServer } from '../src/demo/upstream-server.js'
import { FixtureProcess } from './lib/fixture-process.js'
import { printFigures } from './lib/report.js'
import { median, summarize } from './lib/stats.js'
import { BENCH_API_TOKEN, ModelBenchNodes } from './model-nodes.js'
import { BENCH_MODEL, SHORT_STREAM_CHUNKS, benchReply } from './model-upstream.js'
import type { ModelFixtureArgs } from './model-fixture.js'
import type { Figure } from './lib/report.js'

const FIXTURE = new URL('./model-fixture.js', import.meta.url)
const WARMUP = 50
const SMALL_REQUESTS = 400
const FIRST_CHUNK_REQUESTS = 300
const LONG_STREAM_CHUNKS = 100_000
const LONG_STREAM_RUNS = 5

const TARGETS = { directAddedMs: 2, relayedAddedMs: 4, chunksPerSecond: 20_000 }

/** one way to reach the upstream: straight, or through a consumer node's proxy */
interface Way {
  name: 'straight' | 'direct peer' | 'via relay hub'
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

/** run `measure` over every way in turn, `rounds` times, so drift hits all ways alike */
async function interleaved (ways: Way[], rounds: number, measure: (way: Way) => Promise<number>): Promise<Map<Way, number[]>> {
  const samples = new Map(ways.map(w => [w, [] as number[]]))
  for (let i = 0; i < rounds; i++) {
    for (const way of ways) samples.get(way)?.push(await measure(way))
  }
  return samples
}

function latencyFigures (what: string, samples: Map<Way, number[]>, ways: Way[]): Figure[] {
  const straight = summarize(samples.get(ways[0]) ?? [])
  const figures: Figure[] = []
  for (const way of ways) {
    const s = summarize(samples.get(way) ?? [])
    const addedTarget = way.name === 'direct peer' ? TARGETS.directAddedMs : way.name === 'via relay hub' ? TARGETS.relayedAddedMs : undefined
    figures.push({
      label: `${what}, ${way.name}, median`,
      value: s.median,
      unit: 'ms',
      samples: s.count,
      ...(addedTarget != null ? { target: { maxAboveBaseline: addedTarget }, baseline: { label: 'straight', value: straight.median } } : {})
    })
    figures.push({
      label: `${what}, ${way.name}, p99`,
      value: s.p99,
      unit: 'ms',
      samples: s.count,
      ...(way.name !== 'straight' ? { baseline: { label: 'straight', value: straight.p99 } } : {})
    })
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
    const models = [{ id: BENCH_MODEL, upstream: { baseUrl: upstreamUrl, model: 'upstream-model' } }]
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
  const nodes = new ModelBenchNodes()
  const stop = async (): Promise<void> => {
    await nodes.stop()
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
    await interleaved(ways, WARMUP, smallRequest)
    await interleaved(ways, WARMUP, firstChunk)
    const small = await interleaved(ways, SMALL_REQUESTS, smallRequest)
    const first = await interleaved(ways, FIRST_CHUNK_REQUESTS, firstChunk)
    const rates = await interleaved(ways, LONG_STREAM_RUNS, longStream)

    const figures = [
      ...latencyFigures('small non-streamed request', small, ways),
      ...latencyFigures('streamed request, time to first chunk', first, ways)
    ]
    const straightRate = median(rates.get(ways[0]) ?? [])
    for (const way of ways) {
      figures.push({
        label: `long stream (${LONG_STREAM_CHUNKS} chunks), ${way.name}, median`,
        value: median(rates.get(way) ?? []),
        unit: 'chunks/s',
        samples: LONG_STREAM_RUNS,
        ...(way.name !== 'straight' ? { target: { min: TARGETS.chunksPerSecond }, baseline: { label: 'straight', value: straightRate } } : {})
      })
    }
    printFigures(title, figures)
  } finally {
    await stop()
  }
}

/**
 * The model plane's cost on loopback, three ways: straight to the upstream, through the proxy of
 * a node with a direct connection to the serving node, and through the proxy of a node that
 * reaches the serving node only via a relay hub. Measured twice: with one process per node (as
 * on separate machines, but sharing this machine's cores), and with everything in one process.
 */
export async function runModelBench (): Promise<void> {
  await measure('model plane: OpenAI proxy through the mesh (loopback, one process per node)', separateProcesses)
  await measure('model plane: OpenAI proxy through the mesh (loopback, all in one process)', oneProcess)
}
