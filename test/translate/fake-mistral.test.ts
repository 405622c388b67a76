import { Mistral } from '@mistralai/mistralai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeMistral } from '../helpers/fake-mistral.js'
import type { FakeMistral } from '../helpers/fake-mistral.js'

/** The fake speaks the real wire format: Mistral's own SDK reads its streams and errors */
describe('fake Mistral server, read by the official SDK', () => {
  let fake: FakeMistral
  let client: Mistral

  beforeAll(async () => {
    fake = await startFakeMistral()
    client = new Mistral({ apiKey: 'mistral-test-key', serverURL: fake.baseUrl, retryConfig: { strategy: 'none' } })
  })
  afterAll(async () => { await fake.close() })

  it('streams content deltas and a tool call, ending with the finish reason and usage', async () => {
    fake.reply = () => ({
      kind: 'response',
      chunks: [{ content: 'Checking ' }, { content: 'now.' }, { toolCall: { id: 'abcDEF123', name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      finishReason: 'tool_calls',
      usage: { prompt: 20, completion: 9 }
    })
    const texts: string[] = []
    const calls: any[] = []
    let finish: string | undefined
    let usage: any
    for await (const event of await client.chat.stream({ model: 'mistral-test', messages: [{ role: 'user', content: 'weather?' }] })) {
      const choice = event.data.choices[0]
      if (typeof choice?.delta.content === 'string') texts.push(choice.delta.content)
      calls.push(...(choice?.delta.toolCalls ?? []))
      finish = choice?.finishReason ?? finish
      usage = event.data.usage ?? usage
    }
    expect(texts.join('')).toBe('Checking now.')
    expect(calls).toMatchObject([{ id: 'abcDEF123', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }])
    expect(finish).toBe('tool_calls')
    expect(usage).toMatchObject({ promptTokens: 20, completionTokens: 9 })
    expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer mistral-test-key')
  })

  it('answers errors the SDK raises with their status and body', async () => {
    fake.reply = () => ({ kind: 'error', status: 429, type: 'rate_limited', message: 'Requests rate limit exceeded', headers: { 'retry-after': '4' } })
    const err: any = await client.chat.stream({ model: 'mistral-test', messages: [{ role: 'user', content: 'hi' }] }).catch(e => e)
    expect(err.statusCode).toBe(429)
    expect(err.body).toContain('Requests rate limit exceeded')
  })
})
