import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOAD_TOPIC } from '../../src/capabilities/load-constants.js'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { removeTempDirs, startHubMesh } from '../helpers/mesh.js'
import { waitFor } from '../helpers/wait.js'
import type { FakeUpstream, UpstreamReply } from '../helpers/fake-upstream.js'
import type { TestHubMesh, TestNode } from '../helpers/mesh.js'

const MODEL = 'gpt-shared'
const WORDS = ['one', ' two', ' three', ' four', ' five', ' six', ' seven', ' eight']
const CONCURRENT = 50
const EACH = 4
const fastReply = (): UpstreamReply => ({ ...replies.textStream(WORDS), delayMs: 2 })
const slowReply = (): UpstreamReply => ({ ...replies.textStream(WORDS), delayMs: 100 })

/**
 * Real nodes behind a hub: "fast" and "slow" serve the same model from upstreams that pause
 * between tokens (slow fifty times longer); "home" reaches both through the hub's relay and takes
 * the requests of an OpenAI client.
 */
describe('least-busy routing', () => {
  let fastUpstream: FakeUpstream
  let slowUpstream: FakeUpstream
  let mesh: TestHubMesh
  let fast: TestNode
  let slow: TestNode
  let home: TestNode
  let client: OpenAI

  /** one streamed request; the node that served it */
  async function ask (options: { user?: string, headers?: Record<string, string> } = {}): Promise<string> {
    const { data, response } = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      ...(options.user != null ? { user: options.user } : {})
    }, options.headers != null ? { headers: options.headers } : {}).withResponse()
    let text = ''
    for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe(WORDS.join(''))
    return response.headers.get('x-clawmatrix-node') ?? ''
  }

  beforeAll(async () => {
    fastUpstream = await startFakeUpstream(fastReply)
    slowUpstream = await startFakeUpstream(slowReply)
    const serving = (baseUrl: string): { modelConcurrency: number, models: Array<{ id: string, upstream: { baseUrl: string } }> } =>
      ({ modelConcurrency: 64, models: [{ id: MODEL, upstream: { baseUrl } }] })
    mesh = await startHubMesh([
      { config: { nodeId: 'fast', ...serving(fastUpstream.baseUrl) } },
      { config: { nodeId: 'slow', ...serving(slowUpstream.baseUrl) } },
      { config: { nodeId: 'home' } }
    ])
    ;[fast, slow, home] = mesh.members
    await waitFor('home to route the model to fast and slow', () => {
      try {
        return home.router.models(MODEL).map(c => c.nodeId).sort().join() === 'fast,slow'
      } catch {
        return false
      }
    }, 20_000)
    client = new OpenAI({ baseURL: `http://127.0.0.1:${home.api.port}/v1`, apiKey: home.tokens.apiToken, maxRetries: 0 })
  }, 60_000)

  afterAll(async () => {
    await mesh?.stop()
    await fastUpstream?.close()
    await slowUpstream?.close()
    await removeTempDirs()
  })

  it(`under ${CONCURRENT} concurrent requests the faster node serves more, neither is idle, none fails`, async () => {
    const served: string[] = []
    const clients = Array.from({ length: CONCURRENT }, async () => {
      for (let i = 0; i < EACH; i++) served.push(await ask())
    })
    const results = await Promise.allSettled(clients)
    // the messages, so a failure says what the clients were answered
    expect(results.flatMap(r => r.status === 'rejected' ? [String(r.reason?.message ?? r.reason)] : [])).toEqual([])
    const count = (nodeId: string): number => served.filter(n => n === nodeId).length
    expect(served).toHaveLength(CONCURRENT * EACH)
    expect(count('fast') + count('slow')).toBe(CONCURRENT * EACH)
    expect(count('slow')).toBeGreaterThan(0)
    expect(count('fast')).toBeGreaterThan(count('slow'))
  }, 120_000)

  it('hears each serving node\'s live load on the load topic, with its limit', async () => {
    // the run above made both report; a node reports again on its next change
    await waitFor('home to hold load reports of fast and slow', () =>
      [fast, slow].every(node => home.libp2p.services.load.table.receivedAt(node.peerId) != null))
    expect(home.libp2p.services.load.counts.refused).toBe(0)
    // answers that stall until cancelled, so the request is in flight whenever a node looks at its load
    fastUpstream.reply = slowUpstream.reply = () => replies.stalledStream(['held'])
    const holding = new AbortController()
    const held = client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hold' }], stream: true }, { signal: holding.signal })
      .then(async stream => { for await (const chunk of stream) void chunk }).catch(() => {})
    try {
      const report = await waitFor('a report of fast or slow with this request in flight', () =>
        [fast, slow].map(node => home.libp2p.services.load.loadOf(node.peerId)).find(load => load?.planes.model?.inFlight === 1 && load.models.get(MODEL) === 1))
      expect(report.planes.model?.limit).toBe(64)
    } finally {
      holding.abort()
      await held
      fastUpstream.reply = fastReply
      slowUpstream.reply = slowReply
    }
  })

  it('refuses a malformed report (gossipsub reject)', async () => {
    const hub = mesh.hub
    const before = hub.libp2p.services.load.counts.refused
    await home.libp2p.services.pubsub.publish(LOAD_TOPIC, Uint8Array.from([0x0a, 0xff, 0xff]))
    await waitFor('the hub to refuse the malformed report', () => hub.libp2p.services.load.counts.refused > before)
  })

  it('keeps the requests of one `user` on one node', async () => {
    const first = await ask({ user: 'alice' })
    for (let i = 0; i < 8; i++) expect(await ask({ user: 'alice' })).toBe(first)
  })

  it('keeps the requests of one x-clawmatrix-affinity session on one node', async () => {
    const headers = { 'x-clawmatrix-affinity': 'session-7' }
    const first = await ask({ headers })
    for (let i = 0; i < 8; i++) expect(await ask({ headers })).toBe(first)
  })

  it('spreads requests without a session over both nodes', async () => {
    const seen = new Set<string>()
    await waitFor('requests without a session to reach both nodes', async () => {
      seen.add(await ask())
      return seen.size === 2
    }, 20_000, 0)
  })

  it('answers an unusable affinity header with a 400 naming it', async () => {
    const res = await fetch(`http://127.0.0.1:${home.api.port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${home.tokens.apiToken}`, 'content-type': 'application/json', 'x-clawmatrix-affinity': 'x'.repeat(257) },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] })
    })
    expect(res.status).toBe(400)
    expect((await res.json()).error.message).toMatch(/x-clawmatrix-affinity: must be 1 to 256 characters/)
  })
})
