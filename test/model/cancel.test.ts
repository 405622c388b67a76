import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_TOKEN, ModelTestMesh } from './model-mesh.js'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { waitFor } from '../helpers/wait.js'
import { chat } from '../../src/model/index.js'
import type { ModelNode } from './model-mesh.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'

describe('cancellation, limits and the library call', () => {
  const mesh = new ModelTestMesh()
  let upstream: FakeUpstream
  let office: ModelNode
  let home: ModelNode
  let client: OpenAI
  const ask = { messages: [{ role: 'user' as const, content: 'hi' }] }

  beforeAll(async () => {
    upstream = await startFakeUpstream()
    await mesh.start()
    office = await mesh.node('office', { modelConcurrency: 1, models: [{ id: 'gpt-test', upstream: { baseUrl: upstream.baseUrl } }] })
    home = await mesh.node('home', { models: [{ id: 'gpt-home', upstream: { baseUrl: upstream.baseUrl } }] })
    await mesh.connect(home, office)
    client = new OpenAI({ baseURL: await mesh.api(home), apiKey: API_TOKEN, maxRetries: 0 })
  })

  afterAll(async () => {
    await mesh.stop()
    await upstream.close()
  })

  it('aborts the upstream request when the client goes away mid-stream', async () => {
    upstream.reply = () => replies.endlessStream(10)
    const arrived = upstream.nextRequest()
    const controller = new AbortController()
    const stream = await client.chat.completions.create({ model: 'gpt-test', ...ask, stream: true }, { signal: controller.signal })
    let chunks = 0
    await (async () => {
      for await (const _ of stream) {
        if (++chunks === 3) controller.abort()
      }
    })().catch(() => {})
    expect(chunks).toBeGreaterThanOrEqual(3)
    expect(await (await arrived).ended).toBe('aborted')
    await waitFor('the serving slot to be free', () => office.model.load === 0)
  })

  it('refuses a request over modelConcurrency with 429 busy, and serves again once a slot is free', async () => {
    upstream.reply = () => replies.endlessStream(10)
    const arrived = upstream.nextRequest()
    const controller = new AbortController()
    const holding = await client.chat.completions.create({ model: 'gpt-test', ...ask, stream: true }, { signal: controller.signal })
    await arrived
    const err = await client.chat.completions.create({ model: 'gpt-test', ...ask }).catch(e => e)
    expect(err.status).toBe(429)
    expect(err.code).toBe('busy')
    expect(err.message).toContain('office')
    controller.abort()
    await (async () => { for await (const _ of holding) {} })().catch(() => {})
    await waitFor('the serving slot to be free', () => office.model.load === 0)
    upstream.reply = () => replies.answer('again')
    const res = await client.chat.completions.create({ model: 'gpt-test', ...ask })
    expect(res.choices[0].message.content).toBe('again')
  })

  it('ends the stream with an error event when the serving node goes away mid-answer', async () => {
    const doomed = await mesh.node('doomed', { models: [{ id: 'gpt-doomed', upstream: { baseUrl: upstream.baseUrl } }] })
    await mesh.connect(home, doomed)
    upstream.reply = () => replies.endlessStream(10)
    const stream = await client.chat.completions.create({ model: 'gpt-doomed', ...ask, stream: true })
    let chunks = 0
    const err = await (async () => {
      for await (const _ of stream) {
        if (++chunks === 2) await doomed.stop()
      }
    })().catch(e => e)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.message).toContain('doomed')
  })

  it('serves this node\'s own model without leaving the node', async () => {
    upstream.reply = () => replies.answer('local answer')
    const res = await client.chat.completions.create({ model: 'gpt-home', ...ask }).withResponse()
    expect(res.data.choices[0].message.content).toBe('local answer')
    expect(res.response.headers.get('x-clawmatrix-node')).toBe('home')
  })

  it('aborts the upstream when a local stream is abandoned', async () => {
    upstream.reply = () => replies.endlessStream(10)
    const arrived = upstream.nextRequest()
    const controller = new AbortController()
    const stream = await client.chat.completions.create({ model: 'gpt-home', ...ask, stream: true }, { signal: controller.signal })
    await (async () => {
      for await (const _ of stream) controller.abort()
    })().catch(() => {})
    expect(await (await arrived).ended).toBe('aborted')
    await waitFor('the local slot to be free', () => home.model.load === 0)
  })

  it('chat() returns the parsed answer, or the parsed chunks of a stream', async () => {
    upstream.reply = () => replies.answer('library answer')
    const answer = await chat(home, { model: 'gpt-test', ...ask })
    expect(answer.choices[0].message.content).toBe('library answer')
    upstream.reply = () => replies.textStream(['a', 'b', 'c'])
    const text: string[] = []
    for await (const chunk of await chat(home, { model: 'gpt-test', ...ask, stream: true })) text.push(chunk.choices[0]?.delta?.content ?? '')
    expect(text.join('')).toBe('abc')
  })

  it('chat() throws the upstream\'s error with its status', async () => {
    upstream.reply = () => replies.error(400, 'messages[0].content is too long', 'context_length_exceeded')
    await expect(chat(home, { model: 'gpt-test', ...ask })).rejects.toMatchObject({ status: 400, code: 'context_length_exceeded', message: 'messages[0].content is too long' })
  })

  it('leaving a chat() stream early aborts the upstream', async () => {
    upstream.reply = () => replies.endlessStream(10)
    const arrived = upstream.nextRequest()
    let chunks = 0
    for await (const _ of await chat(home, { model: 'gpt-test', ...ask, stream: true })) {
      if (++chunks === 2) break
    }
    expect(await (await arrived).ended).toBe('aborted')
    await waitFor('the serving slot to be free', () => office.model.load === 0)
  })
})
