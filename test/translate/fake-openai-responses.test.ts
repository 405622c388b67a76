import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeResponses } from '../helpers/fake-openai-responses.js'
import type { FakeResponses } from '../helpers/fake-openai-responses.js'

/** The fake speaks the real wire format: OpenAI's own SDK reads its event streams and errors */
describe('fake OpenAI Responses server, read by the official SDK', () => {
  let fake: FakeResponses
  let client: OpenAI

  beforeAll(async () => {
    fake = await startFakeResponses()
    client = new OpenAI({ baseURL: fake.baseUrl, apiKey: 'sk-test', maxRetries: 0 })
  })
  afterAll(async () => { await fake.close() })

  it('streams reasoning, text and a function call in pieces, ending with the completed response and usage', async () => {
    fake.reply = () => ({
      kind: 'response',
      items: [
        { type: 'reasoning', pieces: ['Think ', 'first.'] },
        { type: 'message', pieces: ['Checking ', 'now.'] },
        { type: 'function_call', callId: 'call_01', name: 'get_weather', pieces: ['{"city":', '"Paris"}'] }
      ],
      usage: { input: 20, output: 9, cached: 6 }
    })
    const stream = client.responses.stream({ model: 'gpt-test', input: 'weather?' })
    const argPieces: string[] = []
    stream.on('response.function_call_arguments.delta', event => { argPieces.push(event.delta) })
    const response = await stream.finalResponse()
    expect(response.status).toBe('completed')
    expect(response.output_text).toBe('Checking now.')
    expect(response.output).toMatchObject([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Think first.' }] },
      { type: 'message', content: [{ type: 'output_text', text: 'Checking now.' }] },
      { type: 'function_call', call_id: 'call_01', name: 'get_weather', arguments: '{"city":"Paris"}' }
    ])
    expect(argPieces).toEqual(['{"city":', '"Paris"}'])
    expect(response.usage).toMatchObject({ input_tokens: 20, output_tokens: 9, input_tokens_details: { cached_tokens: 6 } })
  })

  it('answers errors the SDK maps to its error classes, with status, code and retry-after', async () => {
    fake.reply = () => ({ kind: 'error', status: 429, type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached', headers: { 'retry-after': '3' } })
    const err = await client.responses.create({ model: 'gpt-test', input: 'hi', stream: true }).catch(e => e)
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err.code).toBe('rate_limit_exceeded')
    expect(err.headers.get('retry-after')).toBe('3')
  })
})
