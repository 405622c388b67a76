import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { startFakeGemini } from '../helpers/fake-gemini.js'
import { PIXEL, WEATHER_TOOL, useTranslatedMesh } from './translated-mesh.js'
import type { ModelConfig } from '../../src/config/schema.js'

const TOKEN = 'gemini-mesh-api-token'

/**
 * A consumer behind NAT (node a) asks, with the official `openai` client, for a model that node b
 * serves from a Gemini upstream (`google-generative-ai`); a reaches b only through the hub's relay.
 */
describe('a Gemini model shared through the mesh', () => {
  const setup = useTranslatedMesh(startFakeGemini, fake => ({ id: 'gemini', upstream: { api: 'google-generative-ai', baseUrl: fake.baseUrl, apiKey: 'gemini-key', model: 'gemini-test' } } as ModelConfig), TOKEN)

  it('answers a non-streamed request with the text and usage, from the request sent natively', async () => {
    setup.fake.reply = () => ({ kind: 'response', chunks: [[{ text: 'Hello ' }], [{ text: 'there' }]], finishReason: 'STOP', usage: { prompt: 12, candidates: 2, cached: 5 } })
    const answer = await setup.client.chat.completions.create({
      model: 'gemini',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }],
      temperature: 0.2,
      top_p: 0.8,
      max_tokens: 200
    })
    expect(answer.choices[0].message.content).toBe('Hello there')
    expect(answer.choices[0].finish_reason).toBe('stop')
    expect(answer.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 5 } })
    const sent = setup.fake.requests.at(-1)!
    expect(sent).toMatchObject({ model: 'gemini-test', stream: true })
    expect(sent.headers['x-goog-api-key']).toBe('gemini-key')
    expect(sent.body.generationConfig).toMatchObject({ temperature: 0.2, topP: 0.8, maxOutputTokens: 200 })
    expect(JSON.stringify(sent.body.systemInstruction)).toContain('Be brief.')
  })

  it('streams text and a thought as reasoning_content under one chunk id, with the usage chunk', async () => {
    setup.fake.reply = () => ({ kind: 'response', chunks: [[{ text: 'Two plus two.', thought: true }], [{ text: '4' }]], finishReason: 'STOP', usage: { prompt: 8, candidates: 1, thoughts: 4 } })
    const stream = await setup.client.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: '2+2?' }], stream: true, stream_options: { include_usage: true }, reasoning_effort: 'low' })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(new Set(chunks.map(c => c.id)).size).toBe(1)
    expect(chunks.map(c => (c.choices[0]?.delta as any)?.reasoning_content ?? '').join('')).toBe('Two plus two.')
    expect(chunks.map(c => c.choices[0]?.delta?.content ?? '').join('')).toBe('4')
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 8 } })
  })

  it('gives a function call as a tool call, and carries the follow-up turn with its result', async () => {
    setup.fake.reply = () => ({ kind: 'response', chunks: [[{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }]], finishReason: 'STOP', usage: { prompt: 30, candidates: 9 } })
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }]
    const answer = await setup.client.chat.completions.create({ model: 'gemini', messages, tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'get_weather' } } })
    const call = answer.choices[0].message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } })
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' })
    expect(answer.choices[0].finish_reason).toBe('tool_calls')
    const asked = setup.fake.requests.at(-1)!.body
    expect(JSON.stringify(asked.tools)).toContain('get_weather')
    expect(asked.toolConfig).toMatchObject({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } })

    setup.fake.reply = () => ({ kind: 'response', chunks: [[{ text: 'Sunny.' }]], finishReason: 'STOP', usage: { prompt: 40, candidates: 2 } })
    const followUp = await setup.client.chat.completions.create({
      model: 'gemini',
      tools: [WEATHER_TOOL],
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '22°C, sunny' }
      ]
    })
    expect(followUp.choices[0].message.content).toBe('Sunny.')
    const contents = JSON.stringify(setup.fake.requests.at(-1)!.body.contents)
    expect(contents).toContain('"functionCall"')
    expect(contents).toContain('"functionResponse"')
    expect(contents).toContain('22°C, sunny')
  })

  it('sends a data-URI image as inline data', async () => {
    setup.fake.reply = () => ({ kind: 'response', chunks: [[{ text: 'a pixel' }]], finishReason: 'STOP', usage: { prompt: 5, candidates: 2 } })
    const answer = await setup.client.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PIXEL}` } }] }] })
    expect(answer.choices[0].message.content).toBe('a pixel')
    expect(JSON.stringify(setup.fake.requests.at(-1)!.body.contents)).toContain(PIXEL)
  })

  // Google's SDK keeps no response headers on its errors, so a Gemini retry-after cannot be passed on
  it('keeps a vendor 429 with its status, Google\'s own status code and message', async () => {
    setup.fake.reply = () => ({ kind: 'error', status: 429, code: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded for gemini-test', headers: { 'retry-after': '9' } })
    const limited = await setup.client.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'hi' }] }).catch(e => e)
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited.error).toMatchObject({ message: 'Quota exceeded for gemini-test', code: 'RESOURCE_EXHAUSTED' })
  })

  it('gives a Gemini overload as a 503 with its message', async () => {
    setup.fake.reply = () => ({ kind: 'error', status: 503, code: 'UNAVAILABLE', message: 'The model is overloaded' })
    const overloaded = await setup.client.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'hi' }] }).catch(e => e)
    expect(overloaded.status).toBe(503)
    expect(overloaded.error).toMatchObject({ message: 'The model is overloaded', code: 'UNAVAILABLE' })
  })
})
