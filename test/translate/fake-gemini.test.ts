import { GoogleGenAI } from '@google/genai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeGemini } from '../helpers/fake-gemini.js'
import type { FakeGemini } from '../helpers/fake-gemini.js'

/** The fake speaks the real wire format: Google's own SDK reads its streams and errors */
describe('fake Gemini server, read by the official SDK', () => {
  let fake: FakeGemini
  let client: GoogleGenAI

  beforeAll(async () => {
    fake = await startFakeGemini()
    client = new GoogleGenAI({ apiKey: 'gemini-test-key', httpOptions: { baseUrl: fake.baseUrl, apiVersion: '' } })
  })
  afterAll(async () => { await fake.close() })

  it('streams thought and text parts and a function call, ending with the finish reason and usage', async () => {
    fake.reply = () => ({
      kind: 'response',
      chunks: [[{ text: 'Think first.', thought: true }], [{ text: 'Checking ' }], [{ text: 'now.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }]],
      finishReason: 'STOP',
      usage: { prompt: 20, candidates: 9, cached: 6, thoughts: 3 }
    })
    const texts: string[] = []
    let last: any
    for await (const chunk of await client.models.generateContentStream({ model: 'gemini-test', contents: 'weather?' })) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) if (part.text != null && part.thought !== true) texts.push(part.text)
      last = chunk
    }
    expect(texts.join('')).toBe('Checking now.')
    expect(last.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }])
    expect(last.candidates[0].finishReason).toBe('STOP')
    expect(last.usageMetadata).toMatchObject({ promptTokenCount: 20, candidatesTokenCount: 9, cachedContentTokenCount: 6, thoughtsTokenCount: 3 })
    expect(fake.requests.at(-1)).toMatchObject({ model: 'gemini-test', stream: true })
    expect(fake.requests.at(-1)?.headers['x-goog-api-key']).toBe('gemini-test-key')
  })

  it('answers errors the SDK raises with their status and message', async () => {
    fake.reply = () => ({ kind: 'error', status: 429, code: 'RESOURCE_EXHAUSTED', message: 'quota exceeded', headers: { 'retry-after': '9' } })
    const err: any = await client.models.generateContent({ model: 'gemini-test', contents: 'hi' }).catch(e => e)
    expect(err.status).toBe(429)
    expect(err.message).toContain('quota exceeded')
  })
})
