import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_TOKEN, ModelTestMesh } from './model-mesh.js'
import { replies, startFakeUpstream } from '../helpers/fake-upstream.js'
import type { ModelNode } from './model-mesh.js'
import type { FakeUpstream } from '../helpers/fake-upstream.js'

/** The `data:` payloads of an SSE body, in order */
function ssePayloads (text: string): string[] {
  return text.split('\n').filter(line => line.startsWith('data: ')).map(line => line.slice('data: '.length))
}

async function straight (upstream: FakeUpstream, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${upstream.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return await res.text()
}

describe('OpenAI proxy through a relay hub', () => {
  const mesh = new ModelTestMesh()
  let upstream: FakeUpstream
  let home: ModelNode
  let office: ModelNode
  let client: OpenAI
  let apiUrl: string

  beforeAll(async () => {
    upstream = await startFakeUpstream()
    await mesh.start()
    office = await mesh.node('office', { models: [{ id: 'gpt-test', upstream: { baseUrl: upstream.baseUrl, model: 'upstream-model' } }] })
    home = await mesh.node('home')
    await mesh.connect(home, office)
    apiUrl = await mesh.api(home)
    client = new OpenAI({ baseURL: apiUrl, apiKey: API_TOKEN, maxRetries: 0 })
  })

  afterAll(async () => {
    await mesh.stop()
    await upstream.close()
  })

  it('reaches the serving node only through the hub', () => {
    const connections = home.libp2p.getConnections(office.libp2p.peerId)
    expect(connections.length).toBeGreaterThan(0)
    expect(connections.every(c => c.remoteAddr.toString().includes('/p2p-circuit'))).toBe(true)
  })

  it('answers a non-streamed request with a body byte-equal to the upstream\'s', async () => {
    const request = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'Say hello' }] }
    upstream.reply = () => replies.answer('Hello there')
    const expected = await straight(upstream, { ...request, model: 'upstream-model' })
    const res = await client.chat.completions.create(request).asResponse()
    expect(res.status).toBe(200)
    expect(res.headers.get('x-clawmatrix-node')).toBe('office')
    expect(await res.text()).toBe(expected)
  })

  it('passes the request body through unchanged apart from the model name', async () => {
    upstream.reply = () => replies.answer('ok')
    const request = {
      model: 'gpt-test',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
      tool_choice: 'auto',
      response_format: { type: 'json_object' },
      temperature: 0.25,
      max_tokens: 77,
      stream_options: { include_usage: true },
      user: 'user-42',
      metadata: { anything: ['goes', 1, null] }
    }
    const arrived = upstream.nextRequest()
    await client.chat.completions.create(request as any)
    expect((await arrived).body).toEqual({ ...request, model: 'upstream-model' })
  })

  it('streams the same sequence of data payloads as the upstream', async () => {
    const request = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'count' }], stream: true as const }
    upstream.reply = () => replies.textStream(['one', ' two', ' three'])
    const expected = ssePayloads(await straight(upstream, { ...request, model: 'upstream-model' }))
    const res = await client.chat.completions.create(request).asResponse()
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const payloads = ssePayloads(await res.text())
    expect(payloads).toEqual(expected)
    expect(payloads[payloads.length - 1]).toBe('[DONE]')
  })

  it('streams text, finish_reason and usage to the official client', async () => {
    upstream.reply = () => replies.textStream(['Hel', 'lo', '!'])
    const stream = await client.chat.completions.create({
      model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true }
    })
    let text = ''
    const finish: Array<string | null> = []
    let usage: OpenAI.CompletionUsage | undefined
    const ids = new Set<string>()
    for await (const chunk of stream) {
      ids.add(chunk.id)
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.choices[0]?.finish_reason != null) finish.push(chunk.choices[0].finish_reason)
      if (chunk.usage != null) usage = chunk.usage
    }
    expect(text).toBe('Hello!')
    expect(finish).toEqual(['stop'])
    expect(usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 })
    expect([...ids]).toEqual(['chatcmpl-test-1'])
  })

  it('streams tool calls', async () => {
    upstream.reply = () => replies.toolCallStream()
    const stream = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      stream: true
    })
    let id = ''
    let name = ''
    let args = ''
    let finish: string | null = null
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        id += call.id ?? ''
        name += call.function?.name ?? ''
        args += call.function?.arguments ?? ''
      }
      finish = chunk.choices[0]?.finish_reason ?? finish
      usage = chunk.usage ?? usage
    }
    expect({ id, name, args: JSON.parse(args), finish }).toEqual({ id: 'call_abc123', name: 'get_weather', args: { city: 'Paris' }, finish: 'tool_calls' })
    expect(usage?.total_tokens).toBe(27)
  })

  it('passes reasoning_content through', async () => {
    upstream.reply = () => replies.reasoningStream()
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: '2+2?' }], stream: true })
    let reasoning = ''
    let content = ''
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string | null, reasoning_content?: string } | undefined
      reasoning += delta?.reasoning_content ?? ''
      content += delta?.content ?? ''
    }
    expect(reasoning).toBe('Let me think. Two plus two.')
    expect(content).toBe('4')
  })

  it('accepts <nodeId>/<modelId>', async () => {
    upstream.reply = () => replies.answer('pinned')
    const res = await client.chat.completions.create({ model: 'office/gpt-test', messages: [{ role: 'user', content: 'x' }] }).withResponse()
    expect(res.data.choices[0].message.content).toBe('pinned')
    expect(res.response.headers.get('x-clawmatrix-node')).toBe('office')
  })

  it('carries a request body larger than one frame intact', async () => {
    upstream.reply = () => replies.answer('big')
    const content = 'x'.repeat(3 * 1024 * 1024 + 123)
    const arrived = upstream.nextRequest()
    await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content }] })
    expect((await arrived).body.messages[0].content).toBe(content)
  })

  it('lists the mesh\'s models in the OpenAI shape', async () => {
    const list = await client.models.list()
    const byId = new Map(list.data.map(m => [m.id, m as OpenAI.Model & { nodes: Array<{ nodeId: string, path: string }> }]))
    expect([...byId.keys()].sort()).toEqual(['gpt-test', 'office/gpt-test'])
    const entry = byId.get('gpt-test')
    expect(entry).toMatchObject({ object: 'model', owned_by: 'clawmatrix', api: 'openai-completions', available: true })
    expect(typeof entry?.created).toBe('number')
    expect(entry?.nodes).toEqual([{ nodeId: 'office', peerId: office.libp2p.peerId.toString(), path: 'relayed', upstreamApi: 'openai-completions' }])
    expect(byId.get('office/gpt-test')).toMatchObject({ object: 'model', owned_by: 'office' })
  })
})
