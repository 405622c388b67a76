import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { startFakeResponses } from '../helpers/fake-openai-responses.js'
import { waitFor } from '../helpers/wait.js'
import { PIXEL, WEATHER_TOOL, useTranslatedMesh } from './translated-mesh.js'
import type { ModelConfig } from '../../src/config/schema.js'

const TOKEN = 'responses-mesh-api-token'

/**
 * A consumer behind NAT (node a) asks, with the official `openai` client, for a model that node b
 * serves from an OpenAI Responses upstream; a reaches b only through the hub's relay.
 */
describe('an OpenAI Responses model shared through the mesh', () => {
  const setup = useTranslatedMesh(startFakeResponses, fake => ({ id: 'gpt-r', upstream: { api: 'openai-responses', baseUrl: fake.baseUrl, apiKey: 'sk-test', model: 'gpt-test' } } as ModelConfig), TOKEN)

  it('reaches the serving node only through the hub', () => {
    expect(setup.mesh.a.peers().find(p => p.nodeId === 'b')).toMatchObject({ path: 'relayed', reachableVia: 'hub' })
  })

  it('answers a non-streamed request with text, usage with cached tokens, from the request sent natively', async () => {
    setup.fake.reply = () => ({ kind: 'response', items: [{ type: 'message', pieces: ['Hello ', 'there'] }], usage: { input: 12, output: 2, cached: 5 } })
    const answer = await setup.client.chat.completions.create({
      model: 'gpt-r',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }],
      temperature: 0.2,
      top_p: 0.8,
      max_tokens: 200
    })
    expect(answer.choices[0].message.content).toBe('Hello there')
    expect(answer.choices[0].finish_reason).toBe('stop')
    // the library reports Responses input tokens without the cached ones; OpenAI's prompt_tokens count them
    expect(answer.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14, prompt_tokens_details: { cached_tokens: 5 } })
    const sent = setup.fake.requests[setup.fake.requests.length - 1]
    expect(sent.headers.authorization).toBe('Bearer sk-test')
    expect(sent.body).toMatchObject({ model: 'gpt-test', stream: true, temperature: 0.2, top_p: 0.8, max_output_tokens: 200 })
    expect(JSON.stringify(sent.body)).toContain('Be brief.')
  })

  it('streams text under one chunk id with the usage chunk, and maps an incomplete answer to length', async () => {
    setup.fake.reply = () => ({ kind: 'response', items: [{ type: 'message', pieces: ['one ', 'two'] }], usage: { input: 4, output: 2 }, incomplete: true })
    const stream = await setup.client.chat.completions.create({ model: 'gpt-r', messages: [{ role: 'user', content: 'count' }], stream: true, stream_options: { include_usage: true } })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(new Set(chunks.map(c => c.id)).size).toBe(1)
    expect(chunks.map(c => c.choices[0]?.delta?.content ?? '').join('')).toBe('one two')
    expect(chunks.find(c => c.choices[0]?.finish_reason != null)?.choices[0].finish_reason).toBe('length')
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } })
  })

  it('streams a function call whose arguments arrive in pieces, and carries the follow-up turn with its output', async () => {
    setup.fake.reply = () => ({ kind: 'response', items: [{ type: 'function_call', callId: 'call_W1', name: 'get_weather', pieces: ['{"ci', 'ty":"Pa', 'ris"}'] }], usage: { input: 30, output: 9 } })
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }]
    const stream = await setup.client.chat.completions.create({ model: 'gpt-r', messages, tools: [WEATHER_TOOL], tool_choice: 'required', stream: true })
    const calls = []
    let finish: string | null = null
    for await (const chunk of stream) {
      calls.push(...(chunk.choices[0]?.delta?.tool_calls ?? []))
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } })
    const id = calls[0].id ?? ''
    expect(id).toContain('call_W1')
    const pieces = calls.slice(1).map(c => c.function?.arguments)
    expect(pieces.length).toBeGreaterThanOrEqual(2)
    expect(pieces.join('')).toBe('{"city":"Paris"}')
    expect(finish).toBe('tool_calls')
    const asked = setup.fake.requests[setup.fake.requests.length - 1].body
    expect(asked.tools).toMatchObject([{ type: 'function', name: 'get_weather' }])
    expect(asked.tool_choice).toBe('required')

    setup.fake.reply = () => ({ kind: 'response', items: [{ type: 'message', pieces: ['Sunny.'] }], usage: { input: 40, output: 2 } })
    const followUp = await setup.client.chat.completions.create({
      model: 'gpt-r',
      tools: [WEATHER_TOOL],
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: id, content: '22°C, sunny' }
      ]
    })
    expect(followUp.choices[0].message.content).toBe('Sunny.')
    const input = setup.fake.requests[setup.fake.requests.length - 1].body.input
    expect(input).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'function_call', call_id: 'call_W1', name: 'get_weather' }),
      expect.objectContaining({ type: 'function_call_output', call_id: 'call_W1' })
    ]))
    expect(JSON.stringify(input)).toContain('22°C, sunny')
  })

  it('gives the reasoning summary as reasoning_content', async () => {
    setup.fake.reply = () => ({ kind: 'response', items: [{ type: 'reasoning', pieces: ['Two ', 'plus two.'] }, { type: 'message', pieces: ['4'] }], usage: { input: 8, output: 6 } })
    const answer = await setup.client.chat.completions.create({ model: 'gpt-r', messages: [{ role: 'user', content: '2+2?' }], reasoning_effort: 'high' })
    expect((answer.choices[0].message as any).reasoning_content).toBe('Two plus two.')
    expect(answer.choices[0].message.content).toBe('4')
    expect(setup.fake.requests[setup.fake.requests.length - 1].body.reasoning).toMatchObject({ effort: 'high' })
  })

  it('sends a data-URI image as an input_image', async () => {
    setup.fake.reply = () => ({ kind: 'response', items: [{ type: 'message', pieces: ['a pixel'] }], usage: { input: 5, output: 2 } })
    const answer = await setup.client.chat.completions.create({ model: 'gpt-r', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PIXEL}` } }] }] })
    expect(answer.choices[0].message.content).toBe('a pixel')
    const content = setup.fake.requests[setup.fake.requests.length - 1].body.input[0].content
    expect(content).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'input_image', image_url: `data:image/png;base64,${PIXEL}` })]))
  })

  it('keeps a vendor 429 with its own code and retry-after, and a 503 overload as it is', async () => {
    setup.fake.reply = () => ({ kind: 'error', status: 429, type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-test', headers: { 'retry-after': '9' } })
    const limited = await setup.client.chat.completions.create({ model: 'gpt-r', messages: [{ role: 'user', content: 'hi' }], stream: true }).catch(e => e)
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited.headers.get('retry-after')).toBe('9')
    expect(limited.error).toMatchObject({ message: 'Rate limit reached for gpt-test', type: 'requests', code: 'rate_limit_exceeded' })

    setup.fake.reply = () => ({ kind: 'error', status: 503, type: 'server_error', code: 'server_is_overloaded', message: 'The server is overloaded' })
    const overloaded = await setup.client.chat.completions.create({ model: 'gpt-r', messages: [{ role: 'user', content: 'hi' }] }).catch(e => e)
    expect(overloaded.status).toBe(503)
    expect(overloaded.error).toMatchObject({ code: 'server_is_overloaded', message: 'The server is overloaded' })
  })

  it('carries a client abort to the native server', async () => {
    setup.fake.reply = () => ({ kind: 'hang', text: 'Once upon' })
    const before = setup.fake.closedEarly
    const controller = new AbortController()
    const stream = await setup.client.chat.completions.create({ model: 'gpt-r', messages: [{ role: 'user', content: 'a long story' }], stream: true }, { signal: controller.signal })
    let text = ''
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? ''
      if (text === 'Once upon') controller.abort()
    }
    expect(text).toBe('Once upon')
    await waitFor('the native request to be closed', () => setup.fake.closedEarly === before + 1)
  })
})
