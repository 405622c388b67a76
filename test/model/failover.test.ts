import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_TOKEN, ModelTestMesh } from './model-mesh.js'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { startUpstreamServer } from '../../src/demo/upstream-server.js'
import { Router } from '../../src/router/router.js'
import type { ModelNode } from './model-mesh.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'
import type { MeshContext } from '../../src/mesh/context.js'

/** The real router's candidates, alphabetical by node id, so "alpha first" is certain */
function alphabetical (router: Router): Router {
  return Object.assign(Object.create(router) as Router, {
    models: (modelId: string, nodeId?: string) => router.models(modelId, nodeId).sort((a, b) => a.nodeId.localeCompare(b.nodeId))
  })
}

describe('failover before the first byte', () => {
  const mesh = new ModelTestMesh()
  let alphaUpstream: FakeUpstream
  let betaUpstream: FakeUpstream
  let deadUrl: string
  let alpha: ModelNode
  let beta: ModelNode
  const ask = { messages: [{ role: 'user' as const, content: 'hi' }] }

  let home: ModelNode

  /** an OpenAI client on `home` with a router of its own (no cooldowns left from other tests) */
  async function consumer (): Promise<{ router: Router, client: OpenAI }> {
    const router = new Router({ libp2p: home.libp2p, records: () => home.libp2p.services.capabilities.entries(), pinned: new Map() })
    const ctx: MeshContext = { ...home, router: alphabetical(router) }
    return { router, client: new OpenAI({ baseURL: await mesh.api(ctx), apiKey: API_TOKEN, maxRetries: 0 }) }
  }

  beforeAll(async () => {
    alphaUpstream = await startFakeUpstream(() => replies.answer('from alpha'))
    betaUpstream = await startFakeUpstream(() => replies.answer('from beta'))
    const closed = await startUpstreamServer(() => replies.answer('never'))
    deadUrl = closed.baseUrl
    await closed.close()
    await mesh.start()
    alpha = await mesh.node('alpha', {
      modelConcurrency: 1,
      models: [{ id: 'gpt-shared', upstream: { baseUrl: alphaUpstream.baseUrl } }, { id: 'gpt-down', upstream: { baseUrl: deadUrl } }]
    })
    beta = await mesh.node('beta', {
      models: [{ id: 'gpt-shared', upstream: { baseUrl: betaUpstream.baseUrl } }, { id: 'gpt-down', upstream: { baseUrl: betaUpstream.baseUrl } }]
    })
    home = await mesh.node('home')
    await mesh.connect(home, alpha)
    await mesh.connect(home, beta)
  })

  afterAll(async () => {
    await mesh.stop()
    await alphaUpstream.close()
    await betaUpstream.close()
  })

  it('asks the first candidate when it can answer', async () => {
    const { client } = await consumer()
    const res = await client.chat.completions.create({ model: 'gpt-shared', ...ask }).withResponse()
    expect(res.response.headers.get('x-clawmatrix-node')).toBe('alpha')
  })

  it('moves on when the first node\'s upstream is down', async () => {
    const { client } = await consumer()
    const res = await client.chat.completions.create({ model: 'gpt-down', ...ask }).withResponse()
    expect(res.data.choices[0].message.content).toBe('from beta')
    expect(res.response.headers.get('x-clawmatrix-node')).toBe('beta')
  })

  it('moves on when the first node is busy', async () => {
    const { client } = await consumer()
    alphaUpstream.reply = () => replies.endlessStream(20)
    const holding = new AbortController()
    const arrived = alphaUpstream.nextRequest()
    const first = await client.chat.completions.create({ model: 'gpt-shared', ...ask, stream: true }, { signal: holding.signal })
    await arrived
    const res = await client.chat.completions.create({ model: 'gpt-shared', ...ask }).withResponse()
    expect(res.response.headers.get('x-clawmatrix-node')).toBe('beta')
    holding.abort()
    await (async () => { for await (const _ of first) {} })().catch(() => {})
    alphaUpstream.reply = () => replies.answer('from alpha')
  })

  it('moves on when the first node does not speak the protocol, and leaves it out for a while', async () => {
    const { router, client } = await consumer()
    await alpha.model.stop()
    try {
      const res = await client.chat.completions.create({ model: 'gpt-shared', ...ask }).withResponse()
      expect(res.data.choices[0].message.content).toBe('from beta')
      expect(router.view().find(v => v.entry.record.nodeId === 'alpha')?.coolingDown).toBe(true)
    } finally {
      await alpha.model.start()
    }
  })

  it('does not ask another node once the answer has begun', async () => {
    const { client } = await consumer()
    alphaUpstream.reply = () => replies.cutStream(['partial'])
    const before = betaUpstream.requests.length
    const stream = await client.chat.completions.create({ model: 'gpt-shared', ...ask, stream: true })
    const err = await (async () => { for await (const _ of stream) {} })().catch(e => e)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(betaUpstream.requests.length).toBe(before)
    alphaUpstream.reply = () => replies.answer('from alpha')
  })

  it('answers from a second node when the serving node was killed before the request', async () => {
    const client = new OpenAI({ baseURL: await mesh.api(home), apiKey: API_TOKEN, maxRetries: 0 })
    await alpha.stop()
    const res = await client.chat.completions.create({ model: 'gpt-shared', ...ask }).withResponse()
    expect(res.data.choices[0].message.content).toBe('from beta')
    expect(res.response.headers.get('x-clawmatrix-node')).toBe('beta')
  })
})
