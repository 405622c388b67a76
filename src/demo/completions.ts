/** Builders for OpenAI chat-completions answers, shared by the demo model, tests and benchmarks */

export interface AnswerIdentity {
  id: string
  model: string
  created: number
}

export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

export const SSE_DONE = 'data: [DONE]\n\n'

export function usage (promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens }
}

/** A non-streamed answer (`object: chat.completion`) */
export function completion (who: AnswerIdentity, message: Record<string, unknown>, finishReason: string, tokens?: Usage): Record<string, unknown> {
  return {
    ...who,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, logprobs: null, finish_reason: finishReason }],
    ...(tokens != null ? { usage: tokens } : {})
  }
}

/** One stream chunk (`object: chat.completion.chunk`) */
export function chunk (who: AnswerIdentity, delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return { ...who, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] }
}

/** The final usage-only chunk sent when `stream_options.include_usage` is set */
export function usageChunk (who: AnswerIdentity, tokens: Usage): Record<string, unknown> {
  return { ...who, object: 'chat.completion.chunk', choices: [], usage: tokens }
}

export function sseEvent (value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`
}

/** The text of the last user message of a request body, or '' */
export function lastUserText (body: any): string {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : []
  const last = [...messages].reverse().find(m => m?.role === 'user')
  if (typeof last?.content === 'string') return last.content
  if (Array.isArray(last?.content)) return last.content.map((p: any) => (typeof p?.text === 'string' ? p.text : '')).join(' ')
  return ''
}

/** A stream of `count` one-word content chunks ("w0", " w1", ...), then stop and [DONE] */
export function * countingStream (who: AnswerIdentity, count: number): Generator<string> {
  yield sseEvent(chunk(who, { role: 'assistant', content: '' }))
  for (let i = 0; i < count; i++) yield sseEvent(chunk(who, { content: i === 0 ? 'w0' : ` w${i}` }))
  yield sseEvent(chunk(who, {}, 'stop'))
  yield SSE_DONE
}
