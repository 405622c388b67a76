import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { startFakeAnthropic } from '../helpers/fake-anthropic.js'
import { waitFor } from '../helpers/wait.js'
import { PIXEL, WEATHER_TOOL, useTranslatedMesh } from './translated-mesh.js'
import type { ModelConfig } from '../../src/config/schema.js'

const TOKEN = 'anthropic-mesh-api-token'

/**
 * A consumer behind NAT (node a) asks, with the official `openai` client, for a model that node b
 * serves from an Anthropic Messages upstream; a reaches b only through the hub's relay.
 */
describe('an Anthropic model shared through the mesh', () => {
  const setup = useTranslatedMesh(startFakeAnthropic, fake => ({ id: 'claude', upstream: { api: 'anthropic-messages', baseUrl: `${fake.baseUrl}/v1`, apiKey: 'sk-ant-test', model: 'claude-test' } } as ModelConfig), TOKEN)

  it('reaches the serving node only through the hub', () => {
    expect(setup.mesh.a.peers().find(p => p.nodeId === 'b')).toMatchObject({ path: 'relayed', reachableVia: 'hub' })
  })

  it('answers a non-streamed request with the text, finish reason and usage, from the request sent natively', async () => {
    setup.fake.reply = () => ({ kind: 'message', blocks: [{ type: 'text', pieces: ['Hello ', 'there'] }], stopReason: 'end_turn', usage: { input: 12, output: 2, cacheRead: 5 } })
    const answer = await setup.client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'developer', content: 'No emoji.' }, { role: 'user', content: 'Say hello' }],
      temperature: 0.5,
      top_p: 0.9,
      max_completion_tokens: 300,
      stop: ['END'],
      user: 'user-42'
    })
    expect(answer.object).toBe('chat.completion')
    expect(answer.choices[0].message.content).toBe('Hello there')
    expect(answer.choices[0].finish_reason).toBe('stop')
    expect(answer.usage).toMatchObject({ prompt_tokens: 17, completion_tokens: 2, total_tokens: 19, prompt_tokens_details: { cached_tokens: 5 } })
    const sent = setup.fake.requests[setup.fake.requests.length - 1]
    expect(sent.headers['x-api-key']).toBe('sk-ant-test')
    expect(sent.body).toMatchObject({ model: 'claude-test', max_tokens: 300, temperature: 0.5, top_p: 0.9, stop_sequences: ['END'], metadata: { user_id: 'user-42' }, stream: true })
    expect(JSON.stringify(sent.body.system)).toContain('Be brief.')
    expect(JSON.stringify(sent.body.system)).toContain('No emoji.')
    expect(sent.body.messages).toMatchObject([{ role: 'user' }])
  })

  it('streams text deltas under one chunk id, then the usage chunk', async () => {
    setup.fake.reply = () => ({ kind: 'message', blocks: [{ type: 'text', pieces: ['one ', 'two ', 'three'] }], stopReason: 'end_turn', usage: { input: 4, output: 3 } })
    const stream = await setup.client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'count' }], stream: true, stream_options: { include_usage: true } })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(new Set(chunks.map(c => c.id)).size).toBe(1)
    expect(chunks.map(c => c.choices[0]?.delta?.content ?? '').join('')).toBe('one two three')
    expect(chunks.filter(c => c.choices[0]?.delta?.content != null && c.choices[0].delta.content !== '').length).toBe(3)
    expect(chunks.find(c => c.choices[0]?.finish_reason != null)?.choices[0].finish_reason).toBe('stop')
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } })
  })

  it('streams a tool call whose arguments arrive in pieces, and carries the follow-up turn with its result', async () => {
    setup.fake.reply = () => ({
      kind: 'message',
      blocks: [{ type: 'tool_use', id: 'toolu_01Weather', name: 'get_weather', pieces: ['{"ci', 'ty": "Pa', 'ris"}'] }],
      stopReason: 'tool_use',
      usage: { input: 30, output: 9 }
    })
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }]
    const stream = await setup.client.chat.completions.create({ model: 'claude', messages, tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'get_weather' } }, stream: true })
    const calls = []
    let finish: string | null = null
    for await (const chunk of stream) {
      calls.push(...(chunk.choices[0]?.delta?.tool_calls ?? []))
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(calls[0]).toMatchObject({ index: 0, id: 'toolu_01Weather', type: 'function', function: { name: 'get_weather', arguments: '' } })
    const pieces = calls.slice(1).map(c => c.function?.arguments)
    expect(pieces.length).toBeGreaterThanOrEqual(2)
    expect(pieces.join('')).toBe('{"city": "Paris"}')
    expect(calls.every(c => c.index === 0)).toBe(true)
    expect(finish).toBe('tool_calls')
    const asked = setup.fake.requests[setup.fake.requests.length - 1].body
    expect(asked.tools).toMatchObject([{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }])
    expect(asked.tool_choice).toEqual({ type: 'tool', name: 'get_weather' })

    setup.fake.reply = () => ({ kind: 'message', blocks: [{ type: 'text', pieces: ['Sunny in Paris.'] }], stopReason: 'end_turn', usage: { input: 50, output: 4 } })
    const followUp = await setup.client.chat.completions.create({
      model: 'claude',
      tools: [WEATHER_TOOL],
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_01Weather', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_01Weather', content: '22°C, sunny' }
      ]
    })
    expect(followUp.choices[0].message.content).toBe('Sunny in Paris.')
    const replayed = setup.fake.requests[setup.fake.requests.length - 1].body.messages
    expect(replayed[1]).toMatchObject({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01Weather', name: 'get_weather', input: { city: 'Paris' } }] })
    expect(replayed[2].role).toBe('user')
    expect(JSON.stringify(replayed[2].content)).toContain('"tool_use_id":"toolu_01Weather"')
    expect(JSON.stringify(replayed[2].content)).toContain('22°C, sunny')
  })

  it('gives thinking as reasoning_content, streamed and not', async () => {
    setup.fake.reply = () => ({
      kind: 'message',
      blocks: [{ type: 'thinking', pieces: ['Two ', 'plus two.'], signature: 'sig-xyz' }, { type: 'text', pieces: ['4'] }],
      stopReason: 'end_turn',
      usage: { input: 8, output: 6 }
    })
    const answer = await setup.client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: '2+2?' }], reasoning_effort: 'low', max_completion_tokens: 4000 })
    expect((answer.choices[0].message as any).reasoning_content).toBe('Two plus two.')
    expect(answer.choices[0].message.content).toBe('4')
    expect(setup.fake.requests[setup.fake.requests.length - 1].body.thinking).toBeDefined()

    const stream = await setup.client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: '2+2?' }], reasoning_effort: 'low', max_completion_tokens: 4000, stream: true })
    let reasoning = ''
    let text = ''
    for await (const chunk of stream) {
      reasoning += (chunk.choices[0]?.delta as any)?.reasoning_content ?? ''
      text += chunk.choices[0]?.delta?.content ?? ''
    }
    expect(reasoning).toBe('Two plus two.')
    expect(text).toBe('4')
  })

  it('sends a data-URI image as an image block, and refuses image URLs while allowImageUrls is off', async () => {
    setup.fake.reply = () => ({ kind: 'message', blocks: [{ type: 'text', pieces: ['a pixel'] }], stopReason: 'end_turn', usage: { input: 5, output: 2 } })
    const answer = await setup.client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PIXEL}` } }] }] })
    expect(answer.choices[0].message.content).toBe('a pixel')
    const content = setup.fake.requests[setup.fake.requests.length - 1].body.messages[0].content
    expect(content).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL } })]))

    const count = setup.fake.requests.length
    const refused = await setup.client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }).catch(err => err)
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError)
    expect(refused.message).toContain('allowImageUrls')
    expect(setup.fake.requests.length).toBe(count)
  })

  it('gives Anthropic overload as a 503 with its own type and message', async () => {
    setup.fake.reply = () => ({ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' })
    const err = await setup.client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], stream: true }).catch(e => e)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.status).toBe(503)
    expect(err.error).toMatchObject({ message: 'Overloaded', type: 'overloaded_error', code: 'overloaded_error' })
  })

  it('gives an overload sent inside the accepted stream: a 503 before any output, an error event after some', async () => {
    setup.fake.reply = () => ({ kind: 'stream-error', type: 'overloaded_error', message: 'Overloaded' })
    const early = await setup.client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }).catch(e => e)
    expect(early.status).toBe(503)
    expect(early.error).toMatchObject({ message: 'Overloaded', type: 'overloaded_error' })

    setup.fake.reply = () => ({ kind: 'stream-error', text: 'Hel', type: 'overloaded_error', message: 'Overloaded' })
    const stream = await setup.client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], stream: true })
    let text = ''
    const late = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    })().catch(e => e)
    expect(text).toBe('Hel')
    expect(late).toBeInstanceOf(OpenAI.APIError)
    expect(late.message).toContain('Overloaded')
    expect(late.error).toMatchObject({ type: 'overloaded_error' })
  })

  it('keeps a vendor 429 with its own code and retry-after, never the mesh busy code', async () => {
    setup.fake.reply = () => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit', headers: { 'retry-after': '17' } })
    const err = await setup.client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }).catch(e => e)
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err.status).toBe(429)
    expect(err.headers.get('retry-after')).toBe('17')
    expect(err.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' })
  })

  it('carries a client abort to the native server', async () => {
    setup.fake.reply = () => ({ kind: 'hang', text: 'Once upon' })
    const before = setup.fake.closedEarly
    const controller = new AbortController()
    const stream = await setup.client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'a long story' }], stream: true }, { signal: controller.signal })
    let text = ''
    // the SDK ends an aborted stream's iteration quietly
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? ''
      if (text === 'Once upon') controller.abort()
    }
    expect(text).toBe('Once upon')
    await waitFor('the native request to be closed', () => setup.fake.closedEarly === before + 1)
  })
})
