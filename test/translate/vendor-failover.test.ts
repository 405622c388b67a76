import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeAnthropic } from '../helpers/fake-anthropic.js'
import { API_TOKEN, ModelTestMesh } from '../model/model-mesh.js'
import { Router } from '../../src/router/router.js'
import type { FakeAnthropic } from '../helpers/fake-anthropic.js'
import type { ModelNode } from '../model/model-mesh.js'
import type { MeshContext } from '../../src/mesh/context.js'

/** The real router's candidates, alphabetical by node id, so "alpha first" is certain */
function alphabetical (router: Router): Router {
  return Object.assign(Object.create(router) as Router, {
    models: (modelId: string, nodeId?: string) => router.models(modelId, nodeId).sort((a, b) => a.nodeId.localeCompare(b.nodeId))
  })
}

/** Two nodes share one Anthropic model, each with its own vendor account (fake server) */
describe('a vendor error before the first byte', () => {
  const mesh = new ModelTestMesh()
  let alphaVendor: FakeAnthropic
  let betaVendor: FakeAnthropic
  let home: ModelNode
  let client: OpenAI
  const ask = { model: 'claude', messages: [{ role: 'user' as const, content: 'hi' }] }

  beforeAll(async () => {
    alphaVendor = await startFakeAnthropic()
    betaVendor = await startFakeAnthropic()
    await mesh.start()
    const shared = (baseUrl: string): any => ({ models: [{ id: 'claude', upstream: { api: 'anthropic-messages', baseUrl, apiKey: 'sk-ant-test', model: 'claude-test' } }] })
    const alpha = await mesh.node('alpha', shared(alphaVendor.baseUrl))
    const beta = await mesh.node('beta', shared(betaVendor.baseUrl))
    home = await mesh.node('home')
    // the serving node loads the translation as it starts; a long synchronous stretch while it is
    // still under way would pass the tests' short silent-peer window on a loaded machine
    await import('../../src/translate/translate-chat.js')
    await mesh.connect(home, alpha)
    await mesh.connect(home, beta)
    const router = new Router({ libp2p: home.libp2p, records: () => home.libp2p.services.capabilities.entries(), pinned: new Map() })
    const ctx: MeshContext = { ...home, router: alphabetical(router) }
    client = new OpenAI({ baseURL: await mesh.api(ctx), apiKey: API_TOKEN, maxRetries: 0 })
  })

  afterAll(async () => {
    await mesh.stop()
    await alphaVendor.close()
    await betaVendor.close()
  })

  it('moves on to another node serving the model when the first one\'s vendor is overloaded', async () => {
    alphaVendor.reply = () => ({ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' })
    betaVendor.reply = () => ({ kind: 'message', blocks: [{ type: 'text', pieces: ['from beta'] }], stopReason: 'end_turn', usage: { input: 2, output: 2 } })
    const before = alphaVendor.requests.length
    const res = await client.chat.completions.create(ask).withResponse()
    expect(res.data.choices[0].message.content).toBe('from beta')
    expect(res.response.headers.get('x-clawmatrix-node')).toBe('beta')
    expect(alphaVendor.requests.length).toBe(before + 1)
  })

  it('gives the client the vendor\'s own error when no node does better', async () => {
    alphaVendor.reply = () => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'alpha is rate limited', headers: { 'retry-after': '11' } })
    betaVendor.reply = () => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'beta is rate limited', headers: { 'retry-after': '12' } })
    const err = await client.chat.completions.create({ ...ask, stream: true }).catch(e => e)
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_error', message: 'beta is rate limited' })
    expect(err.headers.get('retry-after')).toBe('12')
  })
})
