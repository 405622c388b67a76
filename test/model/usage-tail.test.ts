import { describe, expect, it } from 'vitest'
import { UsageTail } from '../../src/model/usage.js'

const SSE = 'text/event-stream'
const encode = (text: string): Uint8Array => new TextEncoder().encode(text)

function tailOf (...pieces: string[]): UsageTail {
  const tail = new UsageTail()
  for (const piece of pieces) tail.observe(encode(piece))
  return tail
}

const chunk = (content: string, usage?: unknown): string =>
  `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content } }], ...(usage !== undefined ? { usage } : {}) })}\n\n`

describe('usage tail', () => {
  it('reads the usage of the last SSE event carrying one, past [DONE] and events whose usage is null', () => {
    const tail = tailOf(chunk('a', null), chunk('b', null), `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9, prompt_tokens_details: { cached_tokens: 3 } } })}\n\n`, 'data: [DONE]\n\n')
    expect(tail.usage(SSE)).toEqual({ prompt: 7, completion: 2, total: 9, cached: 3 })
  })

  it('reads CRLF-separated events, and an event split across chunks', () => {
    const event = `data: ${JSON.stringify({ usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })}\r\n\r\n`
    const tail = tailOf(chunk('a').replace(/\n/g, '\r\n'), event.slice(0, 20), event.slice(20), 'data: [DONE]\r\n\r\n')
    expect(tail.usage(SSE)).toEqual({ prompt: 1, completion: 1, total: 2, cached: 0 })
  })

  it('looks only at the last 8 data lines of a stream', () => {
    const withUsage = `data: ${JSON.stringify({ usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } })}\n\n`
    expect(tailOf(withUsage, ...Array.from({ length: 7 }, (_, i) => chunk(String(i)))).usage(SSE)?.total).toBe(10)
    expect(tailOf(withUsage, ...Array.from({ length: 8 }, (_, i) => chunk(String(i)))).usage(SSE)).toBeUndefined()
  })

  it('finds none in a stream without usage, or with only a malformed one', () => {
    expect(tailOf(chunk('a'), chunk('b'), 'data: [DONE]\n\n').usage(SSE)).toBeUndefined()
    expect(tailOf('data: {"usage": {"prompt_tokens": \n\n', 'data: [DONE]\n\n').usage(SSE)).toBeUndefined()
  })

  it('reads the usage of a whole JSON answer, and none from one without it or cut short', () => {
    const answer = JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 } })
    expect(tailOf(answer.slice(0, 30), answer.slice(30)).usage('application/json')).toEqual({ prompt: 8, completion: 1, total: 9, cached: 0 })
    expect(tailOf(JSON.stringify({ id: 'c', choices: [] })).usage('application/json')).toBeUndefined()
    expect(tailOf(answer.slice(0, 40)).usage('application/json')).toBeUndefined()
  })
})
