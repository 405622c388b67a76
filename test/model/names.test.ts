import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_TOKEN, ModelTestMesh } from './model-mesh.js'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { resolveModelName } from '../../src/model/caller.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'

describe('model names', () => {
  it('reads <modelId>, <nodeId>/<modelId> and proxyModels pins', () => {
    const proxyModels = [{ id: 'gpt-pinned', nodeId: 'beta', description: 'Pinned' }, { id: 'gpt-free', description: 'Free' }]
    expect(resolveModelName('gpt-any', proxyModels)).toEqual({ name: 'gpt-any', modelId: 'gpt-any' })
    expect(resolveModelName('gpt-pinned', proxyModels)).toEqual({ name: 'gpt-pinned', modelId: 'gpt-pinned', nodeId: 'beta', description: 'Pinned' })
    expect(resolveModelName('alpha/gpt-pinned', proxyModels)).toEqual({ name: 'alpha/gpt-pinned', modelId: 'gpt-pinned', nodeId: 'alpha' })
    expect(resolveModelName('beta/gpt-pinned', proxyModels)).toEqual({ name: 'beta/gpt-pinned', modelId: 'gpt-pinned', nodeId: 'beta', description: 'Pinned' })
    expect(resolveModelName('alpha/gpt-free', proxyModels)).toEqual({ name: 'alpha/gpt-free', modelId: 'gpt-free', nodeId: 'alpha', description: 'Free' })
  })
})

describe('proxyModels pins and the identity note', () => {
  const mesh = new ModelTestMesh()
  let alphaUpstream: FakeUpstream
  let betaUpstream: FakeUpstream
  let client: OpenAI
  let quietClient: OpenAI

  beforeAll(async () => {
    alphaUpstream = await startFakeUpstream(() => replies.answer('from alpha'))
    betaUpstream = await startFakeUpstream(() => replies.answer('from beta'))
    await mesh.start()
    const alpha = await mesh.node('alpha', { models: [{ id: 'gpt-shared', upstream: { baseUrl: alphaUpstream.baseUrl } }] })
    const beta = await mesh.node('beta', { models: [{ id: 'gpt-shared', upstream: { baseUrl: betaUpstream.baseUrl } }] })
    const home = await mesh.node('home', { proxyModels: [{ id: 'gpt-shared', nodeId: 'beta', description: 'Beta GPT, a test model' }] })
    await mesh.connect(home, alpha)
    await mesh.connect(home, beta)
    client = new OpenAI({ baseURL: await mesh.api(home), apiKey: API_TOKEN, maxRetries: 0 })
    const quiet = { ...home, config: { ...home.config, modelIdentityNote: false } }
    quietClient = new OpenAI({ baseURL: await mesh.api(quiet), apiKey: API_TOKEN, maxRetries: 0 })
  })

  afterAll(async () => {
    await mesh.stop()
    await alphaUpstream.close()
    await betaUpstream.close()
  })

  it('sends a pinned model to its node, with the identity note in a new system message', async () => {
    for (let i = 0; i < 3; i++) {
      const arrived = betaUpstream.nextRequest()
      const res = await client.chat.completions.create({ model: 'gpt-shared', messages: [{ role: 'user', content: 'who are you?' }] }).withResponse()
      expect(res.response.headers.get('x-clawmatrix-node')).toBe('beta')
      expect((await arrived).body.messages).toEqual([
        { role: 'system', content: '[Model: Beta GPT, a test model]' },
        { role: 'user', content: 'who are you?' }
      ])
    }
  })

  it('puts the note in front of an existing system message', async () => {
    const arrived = betaUpstream.nextRequest()
    await client.chat.completions.create({ model: 'gpt-shared', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] })
    expect((await arrived).body.messages[0]).toEqual({ role: 'system', content: '[Model: Beta GPT, a test model]\nBe brief.' })
  })

  it('sends the client\'s bytes on unchanged when the mesh changes nothing in them, and rewrites them when it does', async () => {
    // odd spacing and key order survive only if the bytes are passed on as they are
    const sent = '{ "messages" : [ {"content":"hi",  "role":"user"} ],\n  "model":"gpt-shared", "temperature": 0.50 }'
    const post = async (via: OpenAI, body: string): Promise<void> => {
      const res = await fetch(`${via.baseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` }, body })
      expect(res.status).toBe(200)
      await res.arrayBuffer()
    }
    const toBeta = betaUpstream.nextRequest()
    await post(quietClient, sent)
    expect((await toBeta).text).toBe(sent)
    // <nodeId>/<modelId> becomes <modelId> for the serving node: a new body, same fields
    const toAlpha = alphaUpstream.nextRequest()
    await post(client, sent.replace('"gpt-shared"', '"alpha/gpt-shared"'))
    const rewritten = await toAlpha
    expect(rewritten.text).not.toBe(sent)
    expect(rewritten.body).toEqual({ model: 'gpt-shared', messages: [{ role: 'user', content: 'hi' }], temperature: 0.5 })
  })

  it('leaves the messages alone for another node and when the note is switched off', async () => {
    const messages = [{ role: 'user' as const, content: 'hi' }]
    const toAlpha = alphaUpstream.nextRequest()
    const res = await client.chat.completions.create({ model: 'alpha/gpt-shared', messages }).withResponse()
    expect(res.response.headers.get('x-clawmatrix-node')).toBe('alpha')
    expect((await toAlpha).body.messages).toEqual(messages)
    const toBeta = betaUpstream.nextRequest()
    await quietClient.chat.completions.create({ model: 'gpt-shared', messages })
    expect((await toBeta).body.messages).toEqual(messages)
  })
})
