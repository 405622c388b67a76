import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { startFakeMistral } from '../helpers/fake-mistral.js'
import { WEATHER_TOOL, useTranslatedMesh } from './translated-mesh.js'
import type { ModelConfig } from '../../src/config/schema.js'

const TOKEN = 'mistral-mesh-api-token'

/**
 * A consumer behind NAT (node a) asks, with the official `openai` client, for a model that node b
 * serves from a Mistral upstream (`mistral-conversations`); a reaches b only through the hub's relay.
 */
describe('a Mistral model shared through the mesh', () => {
  const setup = useTranslatedMesh(startFakeMistral, fake => ({ id: 'mistral', upstream: { api: 'mistral-conversations', baseUrl: fake.baseUrl, apiKey: 'mistral-key', model: 'mistral-test' } } as ModelConfig), TOKEN)

  it('streams text with the usage chunk, from the request sent natively', async () => {
    setup.fake.reply = () => ({ kind: 'response', chunks: [{ content: 'Hello ' }, { content: 'there' }], finishReason: 'stop', usage: { prompt: 12, completion: 2 } })
    const stream = await setup.client.chat.completions.create({ model: 'mistral', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }], temperature: 0.2, top_p: 0.8, max_tokens: 200, stream: true, stream_options: { include_usage: true } })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.map(c => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hello there')
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 2 } })
    const sent = setup.fake.requests.at(-1)!
    expect(sent.headers.authorization).toBe('Bearer mistral-key')
    expect(sent.body).toMatchObject({ model: 'mistral-test', stream: true, temperature: 0.2, top_p: 0.8, max_tokens: 200 })
    expect(JSON.stringify(sent.body.messages)).toContain('Be brief.')
  })

  it('gives a tool call, and carries the follow-up turn with its result', async () => {
    setup.fake.reply = () => ({ kind: 'response', chunks: [{ toolCall: { id: 'abcDEF123', name: 'get_weather', arguments: '{"city":"Paris"}' } }], finishReason: 'tool_calls', usage: { prompt: 30, completion: 9 } })
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }]
    const answer = await setup.client.chat.completions.create({ model: 'mistral', messages, tools: [WEATHER_TOOL], tool_choice: 'required' })
    const call = answer.choices[0].message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } })
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' })
    expect(answer.choices[0].finish_reason).toBe('tool_calls')
    expect(setup.fake.requests.at(-1)!.body.tool_choice).toBe('required')

    setup.fake.reply = () => ({ kind: 'response', chunks: [{ content: 'Sunny.' }], finishReason: 'stop', usage: { prompt: 40, completion: 2 } })
    const followUp = await setup.client.chat.completions.create({
      model: 'mistral',
      tools: [WEATHER_TOOL],
      messages: [...messages, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: '22°C, sunny' }]
    })
    expect(followUp.choices[0].message.content).toBe('Sunny.')
    const sent = JSON.stringify(setup.fake.requests.at(-1)!.body.messages)
    expect(sent).toContain('get_weather')
    expect(sent).toContain('22°C, sunny')
  })

  it('keeps a vendor 429 with its status, message and retry-after', async () => {
    setup.fake.reply = () => ({ kind: 'error', status: 429, type: 'rate_limited', message: 'Requests rate limit exceeded', headers: { 'retry-after': '4' } })
    const limited = await setup.client.chat.completions.create({ model: 'mistral', messages: [{ role: 'user', content: 'hi' }] }).catch(e => e)
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited.headers.get('retry-after')).toBe('4')
    expect(limited.error.message).toContain('Requests rate limit exceeded')
    expect(limited.error.code).not.toBe('busy')
  })
})
