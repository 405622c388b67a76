import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpModelBackend } from '../../src/standalone/http-model-backend.js'
import { startFakeAnthropic } from '../helpers/fake-anthropic.js'
import type { ModelResponse } from '../../src/host/ports.js'
import type { FakeAnthropic } from '../helpers/fake-anthropic.js'

const decoder = new TextDecoder()

function streamedRequest (): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ model: 'claude', messages: [{ role: 'user', content: 'count' }], max_tokens: 500, stream: true }))
}

/** the `data:` payloads of an SSE text */
function dataOf (text: string): string[] {
  return text.split('\n\n').filter(event => event !== '').map(event => event.replace(/^data: /, ''))
}

/**
 * A translated stream through the real library from a real Anthropic wire stream: what the
 * serving node hands to the mesh, piece by piece.
 */
describe('translated stream pieces', () => {
  let fake: FakeAnthropic
  const backend = (): ReturnType<typeof httpModelBackend> => httpModelBackend({ id: 'claude', upstream: { api: 'anthropic-messages', baseUrl: fake.baseUrl, apiKey: 'sk-ant-test', model: 'claude-test', allowImageUrls: false } })

  beforeAll(async () => { fake = await startFakeAnthropic() })
  afterAll(async () => { await fake.close() })

  it('the chunks of events that arrive together leave as a few pieces, not one piece per token', async () => {
    const words = Array.from({ length: 300 }, (_, i) => ` w${i}`)
    // the fake writes the whole answer at once: its events reach the library in a few reads
    fake.reply = () => ({ kind: 'message', blocks: [{ type: 'text', pieces: words }], stopReason: 'end_turn', usage: { input: 3, output: words.length } })
    const answer: ModelResponse = await backend().chat(streamedRequest(), { signal: new AbortController().signal })
    expect(answer.status).toBe(200)
    const pieces: string[] = []
    for await (const piece of answer.body) pieces.push(decoder.decode(piece))

    // every piece holds whole events, and together they are the whole answer
    for (const piece of pieces) expect(piece.endsWith('\n\n')).toBe(true)
    const events = dataOf(pieces.join(''))
    expect(events.at(-1)).toBe('[DONE]')
    const chunks = events.slice(0, -1).map(data => JSON.parse(data))
    expect(chunks.map(chunk => chunk.choices[0].delta.content ?? '').join('')).toBe(words.join(''))
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop')
    expect(pieces.length).toBeLessThan(words.length / 10)
  })

  it('an event is not held back waiting for the next one', async () => {
    // the upstream sends one word and then nothing until the client goes away
    fake.reply = () => ({ kind: 'hang', text: 'first' })
    const abort = new AbortController()
    const answer: ModelResponse = await backend().chat(streamedRequest(), { signal: abort.signal })
    const pieces = answer.body[Symbol.asyncIterator]()
    let text = ''
    try {
      const deadline = AbortSignal.timeout(10_000)
      while (!text.includes('"content":"first"')) {
        const next = await Promise.race([pieces.next(), new Promise<never>((_resolve, reject) => { deadline.addEventListener('abort', () => { reject(new Error(`the word the upstream sent did not arrive; got: ${text}`)) }) })])
        if (next.done === true) throw new Error(`the stream ended before the word arrived: ${text}`)
        text += decoder.decode(next.value)
      }
    } finally {
      abort.abort()
      await pieces.return?.()
    }
    expect(dataOf(text).map(data => JSON.parse(data).choices[0].delta.content)).toContain('first')
  })
})
