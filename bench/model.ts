import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { freePort } from '../src/cli/free-port.js'
import { startUpstreamServer } from '../src/demo/upstream-server.js'
import { FixtureProcess } from './lib/fixture-process.js'
import { printFigures } from './lib/report.js'
import { median, summarize } from './lib/stats.js'
import { BENCH_API_TOKEN, ModelBenchNodes } from './model-nodes.js'
import { BENCH_MODEL, BENCH_TRANSLATED_MODEL, SHORT_STREAM_CHUNKS, benchReply } from './model-upstream.js'
import { startPlainProxy } from './plain-proxy.js'
import { runTranslationFloorBench } from './translation-floor.js'
import type { ModelFixtureArgs } from './model-fixture.js'
import type { BenchModelNode } from './model-nodes.js'
import type { ModelConfig } from '../src/config/schema.js'
import type { Figure } from './lib/report.js'

const FIXTURE = new URL('./model-fixture.js', import.meta.url)
// enough requests for V8 to optimize the hot paths of every process before the samples count
const WARMUP = 300
const SMALL_REQUESTS = 400
const FIRST_CHUNK_REQUESTS = 300
const LONG_STREAM_CHUNKS = 100_000
const LONG_STREAM_RUNS = 5
/** long streams through the translated path, taken in turn with the other ways' first runs */
const TRANSLATED_STREAM_RUNS = 3
/** fresh serving-node processes started for each idle memory figure */
const MEMORY_PROBES = 2

const TARGETS = { directAddedMs: 1.5, relayedAddedMs: 4, chunksPerSecond: 20_000, translatedAddedMs: 0.3, translatedRateOfPassthrough: 0.5, idleRssAddedMiB: 3 }

/**
 * One way to reach an upstream: straight, through a plain HTTP proxy, or through a consumer
 * node's proxy to a serving node that passes the request through to its OpenAI-compatible
 * upstream or translates it for its Anthropic Messages one.
 */
interface Way {
  name: 'straight' | 'plain HTTP proxy' | 'two plain HTTP proxies' | 'direct peer' | 'via relay hub' | 'translated, direct peer'
  baseUrl: string
  token: string
  model: string
}

/** a non-streamed request asks for one token: the Anthropic upstream answers as many words as max_tokens says */
function request (way: Way, stream: boolean, chunks = SHORT_STREAM_CHUNKS): string {
  return JSON.stringify({ model: way.model, messages: [{ role: 'user', content: 'ping' }], max_tokens: stream ? chunks : 1, ...(stream ? { stream: true } : {}) })
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
  await (await post(way, request(way, false))).arrayBuffer()
  return performance.now() - start
}

/** ms from sending a streamed request to its first chunk of body */
async function firstChunk (way: Way): Promise<number> {
  const start = performance.now()
  const res = await post(way, request(way, true))
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
  const res = await post(way, request(way, true, LONG_STREAM_CHUNKS))
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

/** samples of `way`, and of the baseline way taken in turn with it, so drift hits both alike */
interface Paired {
  way: number[]
  baseline: number[]
}

/**
 * Each way is measured against a baseline way (the straight call, or the passthrough for the
 * translated path) in a block of its own, the two taken in turn: the processes of the other ways
 * stay idle meanwhile, as they would on machines of their own.
 */
async function pairedWith (baseline: Way, others: Way[], rounds: number, measure: (way: Way) => Promise<number>): Promise<Map<Way, Paired>> {
  const samples = new Map<Way, Paired>()
  for (const way of others) {
    for (let i = 0; i < WARMUP; i++) {
      await measure(baseline)
      await measure(way)
    }
    const paired: Paired = { way: [], baseline: [] }
    for (let i = 0; i < rounds; i++) {
      paired.baseline.push(await measure(baseline))
      paired.way.push(await measure(way))
    }
    samples.set(way, paired)
  }
  return samples
}

/** the direct peer's target is checked in the hop table (hopFigures), beside the yardstick */
const ADDED_TARGETS: Partial<Record<Way['name'], number>> = { 'via relay hub': TARGETS.relayedAddedMs }

function latencyFigures (what: string, samples: Map<Way, Paired>): Figure[] {
  const allStraight = summarize([...samples.values()].flatMap(p => p.baseline))
  const figures: Figure[] = [
    { label: `${what}, straight, median`, value: allStraight.median, unit: 'ms', samples: allStraight.count },
    { label: `${what}, straight, p99`, value: allStraight.p99, unit: 'ms', samples: allStraight.count }
  ]
  for (const [way, paired] of samples) {
    const s = summarize(paired.way)
    const straight = summarize(paired.baseline)
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

const HOP_TARGETS: Partial<Record<Way['name'], number>> = { 'direct peer': TARGETS.directAddedMs }

/**
 * What one hop adds to a direct call, each way against the straight call taken in turn with it:
 * the yardsticks (one plain HTTP proxy, a hop that only forwards; two of them chained, the least
 * a hop through two processes adds, as a consumer and a serving node are), the direct peer and
 * the relay hub, for a small request and for the time to a stream's first chunk
 */
function hopFigures (small: Map<Way, Paired>, first: Map<Way, Paired>): Figure[] {
  const figures: Figure[] = []
  for (const [what, samples] of [['small request', small], ['time to first chunk', first]] as const) {
    const added = new Map([...samples].map(([way, paired]) => [way.name, { value: median(paired.way) - median(paired.baseline), samples: paired.way.length }]))
    const yardstick = added.get('plain HTTP proxy')
    if (yardstick != null) figures.push({ label: `${what}, plain HTTP proxy hop, added`, value: yardstick.value, unit: 'ms', samples: yardstick.samples, note: 'the yardstick' })
    const chained = added.get('two plain HTTP proxies')
    if (chained != null) {
      figures.push({
        label: `${what}, two chained plain HTTP proxies, added`,
        value: chained.value,
        unit: 'ms',
        samples: chained.samples,
        ...(yardstick != null ? { baseline: { label: 'plain HTTP proxy hop', value: yardstick.value } } : {}),
        note: 'the floor of a hop through two processes'
      })
    }
    for (const name of ['direct peer', 'via relay hub'] as const) {
      const hop = added.get(name)
      if (hop == null) continue
      const target = HOP_TARGETS[name]
      figures.push({
        label: `${what}, ${name}, added`,
        value: hop.value,
        unit: 'ms',
        samples: hop.samples,
        ...(chained != null
          ? { baseline: { label: 'two chained plain proxies', value: chained.value } }
          : yardstick != null ? { baseline: { label: 'plain HTTP proxy hop', value: yardstick.value } } : {}),
        ...(target != null ? { target: { max: target } } : {})
      })
    }
  }
  return figures
}

/**
 * The address among `addrs` that matches `path`: a listen address, or a circuit address; over
 * TCP where there is one (the direct peer's two nodes listen on TCP beside WebSockets), as
 * libp2p's own address sorter would pick when dialing the peer by its id
 */
function addressFor (addrs: string[], path: 'direct' | 'relayed', who: string): string {
  const matching = addrs.filter(a => a.includes('/p2p-circuit') === (path === 'relayed'))
  const addr = matching.find(a => !a.includes('/ws')) ?? matching[0]
  if (addr == null) throw new Error(`${who} has no ${path} address`)
  return addr
}

function addressOf (fixture: FixtureProcess, path: 'direct' | 'relayed'): string {
  return addressFor(fixture.addrs, path, `fixture ${fixture.peerId}`)
}

interface Setup {
  ways: Way[]
  /** the translated path: the 'direct peer' way's consumer and serving node, to the Anthropic upstream */
  translated?: Way
  /** idle memory figures of fresh serving nodes, taken while the upstreams still run */
  idleMemory?: () => Promise<Figure[]>
  stop(): Promise<void>
}

function passthroughModel (baseUrl: string): ModelConfig {
  return { id: BENCH_MODEL, upstream: { api: 'openai-completions', baseUrl, model: 'upstream-model', allowImageUrls: false } }
}

function translatedModel (anthropicBaseUrl: string): ModelConfig {
  return { id: BENCH_TRANSLATED_MODEL, upstream: { api: 'anthropic-messages', baseUrl: anthropicBaseUrl, apiKey: 'bench-key', model: 'upstream-claude', allowImageUrls: false } }
}

/** RSS of a fresh serving-node process once it has answered one request of each of its models, after a full GC */
async function idleRss (args: ModelFixtureArgs): Promise<{ rss: number, translationModules?: number }> {
  const fixture = await FixtureProcess.start(FIXTURE, args, undefined, ['--expose-gc'])
  try {
    return await fixture.memory()
  } finally {
    await fixture.stop()
  }
}

/**
 * Idle RSS of a serving node with an OpenAI-compatible model only, against the same node in a
 * process that refuses to resolve any module of the translation (so cannot have loaded it), and
 * against a node that also serves a translated model (what the lazy load spares).
 */
async function idleMemoryFigures (passthrough: ModelConfig, translated: ModelConfig): Promise<Figure[]> {
  const secret = randomBytes(16).toString('hex')
  const probe = (models: ModelConfig[], translation: 'count' | 'refuse'): ModelFixtureArgs => ({ role: 'node', nodeId: 'probe', secret, listen: true, models, translation, askOnce: true })
  const refused: number[] = []
  const passthroughOnly: number[] = []
  const alsoTranslated: number[] = []
  // the three kinds side by side in each round: RSS does not depend on how fast they start
  for (let i = 0; i < MEMORY_PROBES; i++) {
    const [without, plain, loaded] = await Promise.all([
      idleRss(probe([passthrough], 'refuse')),
      idleRss(probe([passthrough], 'count')),
      idleRss(probe([passthrough, translated], 'count'))
    ])
    if (plain.translationModules !== 0) throw new Error(`a node serving no translated model loaded ${String(plain.translationModules)} modules of the translation`)
    if ((loaded.translationModules ?? 0) === 0) throw new Error('a node serving a translated model answered it without loading the translation')
    refused.push(without.rss)
    passthroughOnly.push(plain.rss)
    alsoTranslated.push(loaded.rss)
  }
  const mib = (samples: number[]): number => median(samples) / (1024 * 1024)
  return [
    { label: 'idle RSS, serving node, OpenAI-compatible model only, translation refused', value: mib(refused), unit: 'MiB', samples: MEMORY_PROBES, note: 'its modules cannot be resolved in this process' },
    {
      label: 'idle RSS, serving node, OpenAI-compatible model only',
      value: mib(passthroughOnly),
      unit: 'MiB',
      samples: MEMORY_PROBES,
      baseline: { label: 'translation refused', value: mib(refused) },
      target: { maxAboveBaseline: TARGETS.idleRssAddedMiB },
      note: 'no module of the translation loaded'
    },
    { label: 'idle RSS, serving node, also a translated model', value: mib(alsoTranslated), unit: 'MiB', samples: MEMORY_PROBES, baseline: { label: 'OpenAI-compatible model only', value: mib(passthroughOnly) }, note: 'the translation loaded' }
  ]
}

/** The upstreams and every node in a process of its own, as on separate machines */
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
    const anthropicUrl = (await start({ role: 'anthropic upstream' })).addrs[0]
    const plainProxyUrl = (await start({ role: 'plain proxy', upstreamBaseUrl: upstreamUrl })).addrs[0]
    const chainedProxyUrl = (await start({ role: 'plain proxy', upstreamBaseUrl: plainProxyUrl })).addrs[0]
    const models = [passthroughModel(upstreamUrl)]
    const hub = await start({ role: 'node', nodeId: 'hub', secret, listen: true })
    const hubAddr = addressOf(hub, 'direct')
    const office = await start({ role: 'node', nodeId: 'office', secret, listen: true, tcp: true, models: [...models, translatedModel(anthropicUrl)] })
    const lab = await start({ role: 'node', nodeId: 'lab', secret, listen: false, models, hubAddr })
    const [homePort, cafePort] = [await freePort(), await freePort()]
    // the consumer listens on TCP too: a node dials TCP only with a tcpPort of its own
    await start({ role: 'node', nodeId: 'home', secret, listen: true, tcp: true, connect: { addr: addressOf(office, 'direct'), path: 'direct' }, apiPort: homePort })
    await start({ role: 'node', nodeId: 'cafe', secret, listen: false, hubAddr, connect: { addr: addressOf(lab, 'relayed'), path: 'relayed' }, apiPort: cafePort })
    const home = `http://127.0.0.1:${homePort}/v1`
    return {
      ways: [
        { name: 'straight', baseUrl: upstreamUrl, token: 'none', model: BENCH_MODEL },
        { name: 'plain HTTP proxy', baseUrl: plainProxyUrl, token: 'none', model: BENCH_MODEL },
        { name: 'two plain HTTP proxies', baseUrl: chainedProxyUrl, token: 'none', model: BENCH_MODEL },
        { name: 'direct peer', baseUrl: home, token: BENCH_API_TOKEN, model: BENCH_MODEL },
        { name: 'via relay hub', baseUrl: `http://127.0.0.1:${cafePort}/v1`, token: BENCH_API_TOKEN, model: BENCH_MODEL }
      ],
      translated: { name: 'translated, direct peer', baseUrl: home, token: BENCH_API_TOKEN, model: BENCH_TRANSLATED_MODEL },
      idleMemory: async () => await idleMemoryFigures(passthroughModel(upstreamUrl), translatedModel(anthropicUrl)),
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
  const chainedProxy = await startPlainProxy(plainProxy.baseUrl)
  const nodes = new ModelBenchNodes()
  const stop = async (): Promise<void> => {
    await nodes.stop()
    await chainedProxy.close()
    await plainProxy.close()
    await upstream.close()
  }
  try {
    const models = [passthroughModel(upstream.baseUrl)]
    const addrs = (node: BenchModelNode): string[] => node.libp2p.getMultiaddrs().map(a => a.toString())
    const hub = await nodes.start('hub', true)
    const hubAddr = addressFor(addrs(hub), 'direct', 'hub')
    const office = await nodes.start('office', { listen: true, tcp: true }, { models, modelConcurrency: 64 })
    const lab = await nodes.start('lab', false, { models, modelConcurrency: 64 })
    const home = await nodes.start('home', { listen: true, tcp: true })
    const cafe = await nodes.start('cafe', false)
    for (const node of [lab, cafe]) await nodes.joinHub(node, hubAddr)
    await nodes.connect(home, addressFor(addrs(office), 'direct', 'office'), 'direct')
    await nodes.connect(cafe, addressFor(addrs(lab), 'relayed', 'lab'), 'relayed')
    return {
      ways: [
        { name: 'straight', baseUrl: upstream.baseUrl, token: 'none', model: BENCH_MODEL },
        { name: 'plain HTTP proxy', baseUrl: plainProxy.baseUrl, token: 'none', model: BENCH_MODEL },
        { name: 'two plain HTTP proxies', baseUrl: chainedProxy.baseUrl, token: 'none', model: BENCH_MODEL },
        { name: 'direct peer', baseUrl: await nodes.api(home), token: BENCH_API_TOKEN, model: BENCH_MODEL },
        { name: 'via relay hub', baseUrl: await nodes.api(cafe), token: BENCH_API_TOKEN, model: BENCH_MODEL }
      ],
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/** The translated path against the passthrough from the same consumer through the same serving node */
function translatedFigures (small: Paired, translatedRates: number[], passthroughRates: number[]): Figure[] {
  const t = summarize(small.way)
  const p = summarize(small.baseline)
  const baseline = { label: 'passthrough in the same block', value: p.median }
  const figures: Figure[] = [
    { label: 'small non-streamed request, passthrough, median', value: p.median, unit: 'ms', samples: p.count },
    { label: 'small non-streamed request, translated, median', value: t.median, unit: 'ms', samples: t.count, baseline, target: { maxAboveBaseline: TARGETS.translatedAddedMs } },
    { label: 'small non-streamed request, translated, p99', value: t.p99, unit: 'ms', samples: t.count, baseline: { ...baseline, value: p.p99 } }
  ]
  if (translatedRates.length > 0) {
    figures.push({
      label: `long stream (${LONG_STREAM_CHUNKS} chunks), translated, median`,
      value: median(translatedRates),
      unit: 'chunks/s',
      samples: translatedRates.length,
      ...(passthroughRates.length > 0 ? { baseline: { label: 'passthrough', value: median(passthroughRates) }, target: { min: TARGETS.chunksPerSecond, minOfBaseline: TARGETS.translatedRateOfPassthrough } } : { target: { min: TARGETS.chunksPerSecond } })
    })
  }
  return figures
}

/** prints the setup's figures; returns the ways whose long streams broke off, as messages */
async function measure (title: string, setup: () => Promise<Setup>): Promise<string[]> {
  const { ways, translated, idleMemory, stop } = await setup()
  try {
    const [straight, ...others] = ways
    const direct = ways.find(w => w.name === 'direct peer')
    if (direct == null) throw new Error('the setup has no direct peer way')
    const small = await pairedWith(straight, others, SMALL_REQUESTS, smallRequest)
    const smallTranslated = translated != null ? (await pairedWith(direct, [translated], SMALL_REQUESTS, smallRequest)).get(translated) : undefined
    const first = await pairedWith(straight, others, FIRST_CHUNK_REQUESTS, firstChunk)
    // every way streams in turn; one that breaks off is left out of later runs and its figure
    const streaming = translated != null ? [...ways, translated] : ways
    const rates = new Map(streaming.map(w => [w, [] as number[]]))
    const failed = new Map<Way, string>()
    for (let i = 0; i < LONG_STREAM_RUNS; i++) {
      for (const way of streaming) {
        if (failed.has(way) || (way === translated && i >= TRANSLATED_STREAM_RUNS)) continue
        try {
          rates.get(way)?.push(await longStream(way))
        } catch (err: any) {
          failed.set(way, String(err?.message ?? err))
        }
      }
    }
    const rateOf = (way: Way): number[] => failed.has(way) ? [] : rates.get(way) ?? []

    const figures = [
      ...latencyFigures('small non-streamed request', small),
      ...latencyFigures('streamed request, time to first chunk', first)
    ]
    const straightRate = median(rateOf(straight))
    for (const way of ways) {
      if (rateOf(way).length === 0) continue
      figures.push({
        label: `long stream (${LONG_STREAM_CHUNKS} chunks), ${way.name}, median`,
        value: median(rateOf(way)),
        unit: 'chunks/s',
        samples: rateOf(way).length,
        ...(way.name !== 'straight' ? { baseline: { label: 'straight', value: straightRate } } : {}),
        ...(way.name === 'direct peer' || way.name === 'via relay hub' ? { target: { min: TARGETS.chunksPerSecond } } : {})
      })
    }
    printFigures(title, figures)
    printFigures(`${title}: what one hop adds to a direct call (median of each way minus the straight call taken in turn with it; nodes keep their metrics)`, hopFigures(small, first))
    if (translated != null && smallTranslated != null) printFigures(`${title}: translated path (Anthropic Messages upstream) against the passthrough, both from the direct peer through the same serving node`, translatedFigures(smallTranslated, rateOf(translated), rateOf(direct)))
    if (idleMemory != null) printFigures(`${title}: idle memory of a serving node (${MEMORY_PROBES} fresh processes each, after one request per model)`, await idleMemory())
    return [...failed.values()].map(message => `${title}: ${message}`)
  } finally {
    await stop()
  }
}

/**
 * The model plane's cost on loopback: straight to the upstream; through one plain Node HTTP proxy
 * (the yardstick for a hop that does nothing but forward) and through two of them chained (the
 * least a hop through two processes adds); through the proxy of a node with a
 * direct connection to the serving node; and through the proxy of a node that reaches the serving
 * node only via a relay hub. Measured twice: with one process per node (as on separate machines,
 * but sharing this machine's cores), and with everything in one process. With one process per
 * node, also the translated path (the serving node's upstream speaks Anthropic Messages) against
 * the direct peer's passthrough, and the idle memory of a serving node with and without it.
 * Last, a serving node's upstream call alone, layer by layer (bench/translation-floor.ts).
 */
export async function runModelBench (): Promise<void> {
  const broken = [
    ...await measure('model plane: OpenAI proxy through the mesh (loopback, one process per node)', separateProcesses),
    ...await measure('model plane: OpenAI proxy through the mesh (loopback, all in one process)', oneProcess)
  ]
  await runTranslationFloorBench()
  if (broken.length > 0) throw new Error(`long streams broke off:\n  ${broken.join('\n  ')}`)
}
