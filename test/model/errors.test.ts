import { multiaddr } from '@multiformats/multiaddr'
import { request } from 'node:http'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_TOKEN, ModelTestMesh } from './model-mesh.js'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import { waitFor } from '../helpers/wait.js'
import type { ModelNode } from './model-mesh.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'

const MODEL_TIMEOUT_MS = 500

async function post (url: string, body: string, token: string | null = API_TOKEN): Promise<{ status: number, json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token != null) headers.authorization = `Bearer ${token}`
  const res = await fetch(`${url}/chat/completions`, { method: 'POST', headers, body })
  return { status: res.status, json: await res.json() }
}

function expectOpenAiError (json: any, code: string): void {
  expect(json).toEqual({ error: { message: expect.any(String), type: expect.any(String), code } })
}

describe('model proxy errors', () => {
  const mesh = new ModelTestMesh()
  let upstream: FakeUpstream
  let home: ModelNode
  let apiUrl: string
  let client: OpenAI
  const ask = { messages: [{ role: 'user' as const, content: 'hi' }] }

  beforeAll(async () => {
    upstream = await startFakeUpstream()
    await mesh.start()
    const office = await mesh.node('office', { modelTimeout: MODEL_TIMEOUT_MS, models: [{ id: 'gpt-test', upstream: { baseUrl: upstream.baseUrl } }] })
    const tiny = await mesh.node('tiny', { maxRequestBytes: 32 * 1024, models: [{ id: 'gpt-tiny', upstream: { baseUrl: upstream.baseUrl } }] })
    const lab = await mesh.node('lab', { models: [{ id: 'gpt-lab', upstream: { baseUrl: upstream.baseUrl } }] })
    home = await mesh.node('home', { maxRequestBytes: 256 * 1024 })
    for (const node of [office, tiny, lab]) await mesh.connect(home, node)
    // lab goes away; home still holds its record, and the hub it names, until the record expires
    await lab.stop()
    await home.libp2p.hangUp(lab.libp2p.peerId)
    await waitFor('lab to be gone from the hub', async () => (await home.libp2p.dial(multiaddr(lab.address()), { signal: AbortSignal.timeout(2000) }).then(() => false, () => true)) ? true : undefined)
    expect(home.router.view().some(v => v.entry.record.nodeId === 'lab')).toBe(true)
    apiUrl = await mesh.api(home)
    client = new OpenAI({ baseURL: apiUrl, apiKey: API_TOKEN, maxRetries: 0 })
  })

  afterAll(async () => {
    await mesh.stop()
    await upstream.close()
  })

  it('refuses a missing or wrong token with 401', async () => {
    const body = JSON.stringify({ model: 'gpt-test', ...ask })
    for (const token of [null, 'wrong-token']) {
      const { status, json } = await post(apiUrl, body, token)
      expect(status).toBe(401)
      expectOpenAiError(json, 'invalid_api_key')
    }
    await expect(new OpenAI({ baseURL: apiUrl, apiKey: 'wrong', maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 })
  })

  it('refuses bad JSON, a missing model and missing messages with 400', async () => {
    const bad = await post(apiUrl, '{"model": "gpt-test", "messages": [')
    expect(bad.status).toBe(400)
    expectOpenAiError(bad.json, 'invalid_json')
    const noMessages = await post(apiUrl, JSON.stringify({ model: 'gpt-test' }))
    expect(noMessages.status).toBe(400)
    expectOpenAiError(noMessages.json, 'invalid_request')
    expect(noMessages.json.error.message).toContain('messages')
    const noModel = await post(apiUrl, JSON.stringify(ask))
    expect(noModel.status).toBe(400)
    expect(noModel.json.error.message).toContain('model')
  })

  it('answers an unknown model with 404 model_not_found', async () => {
    const err = await client.chat.completions.create({ model: 'no-such-model', ...ask }).catch(e => e)
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect(err.code).toBe('model_not_found')
    expect(err.message).toContain('no-such-model')
    expect(err.message).toContain('gpt-test')
  })

  it('answers a model with no reachable node with 503 naming the model', async () => {
    const err = await client.chat.completions.create({ model: 'gpt-lab', ...ask }).catch(e => e)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.status).toBe(503)
    expect(err.code).toBe('no_reachable_node')
    expect(err.message).toContain('"gpt-lab"')
  })

  it('refuses a body over maxRequestBytes with 413, on the consumer and on the serving node', async () => {
    const local = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x'.repeat(300 * 1024) }] }).catch(e => e)
    expect(local.status).toBe(413)
    expect(local.code).toBe('request_too_large')
    const remote = await client.chat.completions.create({ model: 'gpt-tiny', messages: [{ role: 'user', content: 'x'.repeat(64 * 1024) }] }).catch(e => e)
    expect(remote.status).toBe(413)
    expect(remote.code).toBe('request_too_large')
    expect(remote.message).toContain('tiny')
  })

  it('answers 413 to a chunked body (no content-length) once it passes maxRequestBytes, and serves the next request', async () => {
    const answer = await new Promise<{ status: number, body: string }>((resolve, reject) => {
      const req = request(`${apiUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` } }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => { body += chunk })
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
      })
      req.on('error', reject)
      req.write(`{"model":"gpt-test","messages":[{"role":"user","content":"`)
      // 320 KiB in 16 KiB pieces against a 256 KiB limit; the server may answer before the last piece
      for (let i = 0; i < 20; i++) req.write('x'.repeat(16 * 1024))
      req.end('"}]}')
    })
    expect(answer.status).toBe(413)
    expectOpenAiError(JSON.parse(answer.body), 'request_too_large')
    const next = await client.chat.completions.create({ model: 'gpt-test', ...ask })
    expect(next.choices[0].message.content).toBeTruthy()
  })

  it('passes an upstream error through with its status and body', async () => {
    const reply = replies.error(429, 'Rate limit reached for requests', 'rate_limit_exceeded', 'requests')
    upstream.reply = () => reply
    const err = await client.chat.completions.create({ model: 'gpt-test', ...ask }).catch(e => e)
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err.code).toBe('rate_limit_exceeded')
    const raw = await fetch(`${apiUrl}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-test', ...ask }) })
    expect(raw.status).toBe(429)
    expect(await raw.text()).toBe((reply.chunks as string[])[0])
  })

  it('ends a stream that breaks off with an error event, after the chunks that arrived', async () => {
    upstream.reply = () => replies.cutStream(['first', ' second'])
    const stream = await client.chat.completions.create({ model: 'gpt-test', ...ask, stream: true })
    let text = ''
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })().catch(e => e)
    expect(text).toBe('first second')
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.message).toContain('broke off')
  })

  it('ends the error event cleanly when the stream breaks off inside an event', async () => {
    upstream.reply = () => replies.cutInsideEvent(['first', ' second'])
    const raw = await fetch(`${apiUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', ...ask, stream: true })
    })
    const events = (await raw.text()).split('\n\n').filter(e => e !== '')
    expect(events.every(e => e.startsWith('data: ') && JSON.parse(e.slice('data: '.length)) != null)).toBe(true)
    expect(JSON.parse(events[events.length - 1].slice('data: '.length)).error).toMatchObject({ code: 'answer_interrupted' })
    upstream.reply = () => replies.cutInsideEvent(['first'])
    const stream = await client.chat.completions.create({ model: 'gpt-test', ...ask, stream: true })
    const err = await (async () => { for await (const _ of stream) {} })().catch(e => e)
    expect(err).toBeInstanceOf(OpenAI.APIError)
  })

  it('answers a non-streamed answer that breaks off with 502', async () => {
    upstream.reply = () => replies.cutAnswer()
    const err = await client.chat.completions.create({ model: 'gpt-test', ...ask }).catch(e => e)
    expect(err.status).toBe(502)
    expect(err.code).toBe('answer_interrupted')
  })

  it('ends a stalled stream after modelTimeout of silence with an error event', async () => {
    upstream.reply = () => replies.stalledStream(['partial'])
    const arrived = upstream.nextRequest()
    const stream = await client.chat.completions.create({ model: 'gpt-test', ...ask, stream: true })
    let text = ''
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })().catch(e => e)
    expect(text).toBe('partial')
    expect(err.message).toContain(`sent nothing for ${MODEL_TIMEOUT_MS} ms`)
    expect(await (await arrived).ended).toBe('aborted')
  })

  it('answers 504 when the upstream sends nothing at all within modelTimeout', async () => {
    upstream.reply = () => replies.silent()
    const arrived = upstream.nextRequest()
    const err = await client.chat.completions.create({ model: 'gpt-test', ...ask }).catch(e => e)
    expect(err.status).toBe(504)
    expect(err.code).toBe('upstream_timeout')
    expect(await (await arrived).ended).toBe('aborted')
  })
})
