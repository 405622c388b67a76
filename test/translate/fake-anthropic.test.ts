import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeAnthropic } from '../helpers/fake-anthropic.js'
import type { FakeAnthropic } from '../helpers/fake-anthropic.js'

/** The fake speaks the real wire format: Anthropic's own SDK reads its streams and errors */
describe('fake Anthropic Messages server, read by the official SDK', () => {
  let fake: FakeAnthropic
  let client: Anthropic

  beforeAll(async () => {
    fake = await startFakeAnthropic()
    client = new Anthropic({ baseURL: fake.baseUrl, apiKey: 'sk-ant-test', maxRetries: 0 })
  })
  afterAll(async () => { await fake.close() })

  it('streams thinking, text and a tool call in pieces, with usage and the stop reason', async () => {
    fake.reply = () => ({
      kind: 'message',
      blocks: [
        { type: 'thinking', pieces: ['Let me ', 'think.'], signature: 'sig-1' },
        { type: 'text', pieces: ['Checking ', 'the weather.'] },
        { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', pieces: ['{"city":', ' "Paris"', '}'] }
      ],
      stopReason: 'tool_use',
      usage: { input: 20, output: 11, cacheRead: 4 }
    })
    const stream = client.messages.stream({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'weather?' }] })
    const jsonPieces: string[] = []
    stream.on('inputJson', partial => { jsonPieces.push(partial) })
    const message = await stream.finalMessage()
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: 'sig-1' },
      { type: 'text', text: 'Checking the weather.' },
      { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } }
    ])
    expect(jsonPieces).toEqual(['{"city":', ' "Paris"', '}'])
    expect(message.stop_reason).toBe('tool_use')
    expect(message.usage).toMatchObject({ input_tokens: 20, output_tokens: 11, cache_read_input_tokens: 4 })
  })

  it('answers errors the SDK maps to its error classes, with status and retry-after', async () => {
    fake.reply = () => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down', headers: { 'retry-after': '7' } })
    const limited = await client.messages.create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stream: true }).catch(err => err)
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')
    expect(limited.error).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } })

    fake.reply = () => ({ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' })
    const overloaded = await client.messages.create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stream: true }).catch(err => err)
    expect(overloaded).toBeInstanceOf(Anthropic.APIError)
    expect(overloaded.status).toBe(529)
    expect(overloaded.error.error.type).toBe('overloaded_error')
  })

  it('sends an error event inside an accepted stream, which the SDK raises with its type', async () => {
    fake.reply = () => ({ kind: 'stream-error', text: 'Hel', type: 'overloaded_error', message: 'Overloaded' })
    const stream = client.messages.stream({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    const texts: string[] = []
    stream.on('text', text => { texts.push(text) })
    const err = await stream.finalMessage().catch(e => e)
    expect(texts).toEqual(['Hel'])
    expect(err).toBeInstanceOf(Anthropic.APIError)
    expect(err.error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
  })
})
