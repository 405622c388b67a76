import { describe, expect, it } from 'vitest'
import { ChatAnswer, finishReason, openAIUsage } from '../../src/translate/chat-answer.js'
import { translateRequest } from '../../src/translate/chat-request.js'
import { TranslationError } from '../../src/translate/errors.js'
import { imageSource, isClosedAddress } from '../../src/translate/images.js'

const WHO = { api: 'anthropic-messages', provider: 'anthropic', model: 'claude-test' }
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

async function translate (request: Record<string, unknown>, allowImageUrls = false): Promise<Awaited<ReturnType<typeof translateRequest>>> {
  return await translateRequest(request, WHO, imageSource(allowImageUrls, new AbortController().signal))
}

async function refusal (request: Record<string, unknown>, allowImageUrls = false): Promise<TranslationError> {
  const err = await translate(request, allowImageUrls).catch(e => e)
  expect(err).toBeInstanceOf(TranslationError)
  return err
}

describe('OpenAI request → library context and options', () => {
  it('joins system and developer messages, keeps user parts, replays tool calls and matches tool results by id', async () => {
    const { context } = await translate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'No emoji.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PIXEL}` } }] },
        { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' }
      ]
    })
    expect(context.systemPrompt).toBe('Be brief.\n\nNo emoji.')
    expect(context.messages[0]).toMatchObject({ role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image', mimeType: 'image/png', data: PIXEL }] })
    expect(context.messages[1]).toMatchObject({ role: 'assistant', ...WHO, stopReason: 'toolUse', content: [{ type: 'text', text: 'Checking.' }, { type: 'toolCall', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] })
    expect(context.messages[2]).toMatchObject({ role: 'toolResult', toolCallId: 'call_1', toolName: 'get_weather', content: [{ type: 'text', text: 'sunny' }] })
  })

  it('maps the sampling, length, stop, format, reasoning and user fields', async () => {
    const { options, payload, stream, includeUsage } = await translate({
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.3,
      top_p: 0.7,
      max_tokens: 10,
      max_completion_tokens: 20,
      stop: 'END',
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { a: { type: 'number' } } } } },
      reasoning_effort: 'none',
      tool_choice: { type: 'function', function: { name: 'f' } },
      user: 'u-1',
      stream: true,
      stream_options: { include_usage: true }
    })
    expect(options).toEqual({ temperature: 0.3, maxTokens: 20, stop: ['END'], responseFormat: { type: 'object', properties: { a: { type: 'number' } } }, reasoning: 'off', metadata: { user_id: 'u-1' } })
    expect(payload).toEqual({ toolChoice: { name: 'f' }, topP: 0.7 })
    expect(stream).toBe(true)
    expect(includeUsage).toBe(true)
  })

  it.each([
    [{ messages: [{ role: 'user', content: 'a' }], n: 2 }, 'n'],
    [{ messages: [{ role: 'function', content: 'a' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'tool', tool_call_id: 'nope', content: 'a' }] }, 'messages[0].tool_call_id'],
    [{ messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }, 'messages[0].tool_calls[0].function.arguments'],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type'],
    [{ messages: [{ role: 'user', content: 'a' }], reasoning_effort: 'extreme' }, 'reasoning_effort'],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png,notbase64' } }] }] }, 'messages[0].content[0].image_url.url']
  ])('refuses %j naming %s', async (request, param) => {
    expect((await refusal(request)).param).toBe(param)
  })
})

describe('image URLs', () => {
  const withUrl = (url: string): Record<string, unknown> => ({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] })

  it('are refused while allowImageUrls is off, naming the setting', async () => {
    expect((await refusal(withUrl('https://example.com/cat.png'))).message).toContain('models[].upstream.allowImageUrls')
  })

  it.each([
    'http://127.0.0.1:9/cat.png', 'http://[::1]:9/cat.png', 'http://10.1.2.3/cat.png', 'http://169.254.169.254/latest', 'http://192.168.1.1/cat.png', 'http://[::ffff:127.0.0.1]/x.png', 'file:///etc/passwd'
  ])('never reach %s, even when allowed', async url => {
    const err = await refusal(withUrl(url), true)
    expect(err.message).toMatch(/loopback, private or link-local|only http\(s\)/)
  })

  it('are checked after DNS too: a name resolving to loopback is refused', async () => {
    expect((await refusal(withUrl('http://localhost:9/cat.png'), true)).message).toMatch(/resolves to .*loopback, private or link-local/)
  })

  it('classifies addresses', () => {
    expect(['127.0.0.1', '10.0.0.1', '172.16.5.5', '192.168.0.1', '169.254.1.1', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', 'not-an-ip'].every(isClosedAddress)).toBe(true)
    expect(['1.1.1.1', '8.8.8.8', '2606:4700::1111'].some(isClosedAddress)).toBe(false)
  })
})

describe('library answer → OpenAI answer', () => {
  it('maps stop reasons and usage', () => {
    expect([finishReason('stop', false), finishReason('length', false), finishReason('toolUse', false), finishReason('stop', true)]).toEqual(['stop', 'length', 'tool_calls', 'content_filter'])
    expect(openAIUsage({ input: 7, output: 3, cacheRead: 5, cacheWrite: 1, totalTokens: 16, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } }))
      .toEqual({ prompt_tokens: 13, completion_tokens: 3, total_tokens: 16, prompt_tokens_details: { cached_tokens: 5 } })
  })

  it('numbers tool calls in the order they start, keeping their ids', () => {
    const answer = new ChatAnswer('m')
    const partial: any = { content: [{ type: 'text', text: '' }, { type: 'toolCall', id: 't1', name: 'a', arguments: {} }, { type: 'toolCall', id: 't2', name: 'b', arguments: {} }] }
    const chunks = [
      ...answer.chunks({ type: 'toolcall_start', contentIndex: 1, partial }),
      ...answer.chunks({ type: 'toolcall_start', contentIndex: 2, partial }),
      ...answer.chunks({ type: 'toolcall_delta', contentIndex: 1, delta: '{}', partial })
    ] as any[]
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' })
    expect(chunks.slice(1).map(c => c.choices[0].delta.tool_calls[0])).toEqual([
      { index: 0, id: 't1', type: 'function', function: { name: 'a', arguments: '' } },
      { index: 1, id: 't2', type: 'function', function: { name: 'b', arguments: '' } },
      { index: 0, function: { arguments: '{}' } }
    ])
    expect(new Set(chunks.map(c => c.id))).toEqual(new Set([answer.id]))
  })
})
