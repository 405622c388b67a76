import { openAIError } from './errors.js'
import type { OpenAIErrorBody } from './errors.js'
import type { NativeAnswer } from './llm-runtime.js'
import type { AssistantMessage } from '@openclaw/ai'

/** An upstream error as the client gets it: the native status, message and code, OpenAI-shaped */
export interface TranslatedError {
  status: number
  headers: Record<string, string>
  body: OpenAIErrorBody
}

function parse (text: string | undefined): any {
  if (text == null || text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function str (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * The native error (Anthropic `{ type: "error", error: { type, message } }`, OpenAI and Mistral
 * `{ error: { message, type, code } }`, Google `{ error: { code, message, status } }`) with its
 * status. Overload (Anthropic's 529) is a 503: the class a client knows to retry; a 429 keeps
 * its status and `retry-after`.
 */
export function translatedError (answer: NativeAnswer, message: AssistantMessage): TranslatedError {
  const status = answer.status ?? 502
  const native = parse(answer.errorBody)
  const inner = native?.error ?? native
  const type = str(inner?.type) ?? str(inner?.status) ?? (status === 429 ? 'rate_limit_error' : 'upstream_error')
  const code = str(inner?.code) ?? type
  const text = str(inner?.message) ?? str(message.errorMessage) ?? `the upstream answered HTTP ${status}`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const retryAfter = answer.headers?.get('retry-after')
  if (retryAfter != null) headers['retry-after'] = retryAfter
  const requestId = answer.headers?.get('request-id') ?? answer.headers?.get('x-request-id')
  if (requestId != null) headers['x-request-id'] = requestId
  return { status: status === 529 ? 503 : status, headers, body: openAIError(text, type, code) }
}
