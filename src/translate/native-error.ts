import { openAIErrorBody } from '../errors/openai-error.js'
import type { OpenAIErrorBody } from '../errors/openai-error.js'
import type { NativeAnswer } from './native-call.js'
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

/** Anthropic's documented error types, for an error sent inside an accepted (200) stream */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529
}

/**
 * The native error (Anthropic `{ type: "error", error: { type, message } }`, OpenAI and Mistral
 * `{ error: { message, type, code } }`, Google `{ error: { code, message, status } }`) with its
 * status: from the HTTP answer, or for an error event inside an accepted stream from its type.
 * Overload (Anthropic's 529) is a 503, the class a client knows to retry; a 429 keeps its status
 * and `retry-after`.
 */
export function translatedError (answer: NativeAnswer, message: AssistantMessage): TranslatedError {
  const inStream = answer.status == null || answer.status < 400
  const native = parse(inStream ? message.errorMessage : answer.errorBody)
  const inner = native?.error ?? native
  const nativeType = str(inner?.type) ?? str(inner?.status)
  const status = inStream ? (nativeType != null ? STATUS_OF_TYPE[nativeType] : undefined) ?? 502 : answer.status ?? 502
  const type = nativeType ?? (status === 429 ? 'rate_limit_error' : 'upstream_error')
  const code = str(inner?.code) ?? type
  const text = str(inner?.message) ?? str(message.errorMessage) ?? `the upstream answered HTTP ${status}`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const retryAfter = answer.headers?.get('retry-after')
  if (retryAfter != null && !inStream) headers['retry-after'] = retryAfter
  const requestId = answer.headers?.get('request-id') ?? answer.headers?.get('x-request-id')
  if (requestId != null) headers['x-request-id'] = requestId
  const answered = status === 529 ? 503 : status
  return { status: answered, headers, body: openAIErrorBody(answered, code, text, { type, param: null }) }
}
