import { ChatAnswer } from './chat-answer.js'
import { translateRequest } from './chat-request.js'
import { STREAM_PIECE_CHARS } from './constants.js'
import { TranslationError } from './errors.js'
import { imageSource } from './images.js'
import { nativeFieldsHook } from './native-fields.js'
import { translatedError } from './native-error.js'
import { openAIErrorBody } from '../errors/openai-error.js'
import { jsonResponse } from '../host/json-response.js'
import type { NativeAnswer, NativeModel } from './native-call.js'
import type { ModelResponse } from '../host/ports.js'
import type { AssistantMessage, AssistantMessageEvent } from '@openclaw/ai'

const encoder = new TextEncoder()

async function * bytes (...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield * parts
}

function sseText (value: unknown): string {
  return `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`
}

function sse (value: unknown): Uint8Array {
  return encoder.encode(sseText(value))
}

const TURN_OVER = Symbol('turn over')

/** settles once the events already on hand have been handled: at the event loop's next check phase */
async function turnOver (): Promise<typeof TURN_OVER> {
  return await new Promise(resolve => { setImmediate(resolve, TURN_OVER) })
}

/** A refusal the library reports as an error (its documented `provider_refusal` diagnostic) */
function isRefusal (message: AssistantMessage): boolean {
  return (message as { diagnostics?: Array<{ type?: string }> }).diagnostics?.some(diagnostic => diagnostic.type === 'provider_refusal') === true
}

function parseBody (body: Uint8Array): Record<string, any> {
  let request: unknown
  try {
    request = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
  } catch (err: any) {
    throw new TranslationError(`request body is not valid JSON: ${String(err.message)}`, 'body')
  }
  if (request == null || typeof request !== 'object' || Array.isArray(request)) throw new TranslationError('request body must be a JSON object', 'body')
  return request as Record<string, any>
}

/**
 * Answer one OpenAI chat-completions request from an upstream that speaks another API, through
 * `@openclaw/ai`. The answer begins only once the upstream has accepted the call, so an upstream
 * error before any output comes back with its own status (the caller may still try another node);
 * a failure to reach the upstream at all is thrown, as for the passthrough.
 */
export async function translateChat (native: NativeModel, body: Uint8Array, signal: AbortSignal): Promise<ModelResponse> {
  // the native call ends when the caller's signal aborts or when the answer is over, whichever comes first
  const call = new AbortController()
  const stopCall = (): void => { call.abort(signal.reason) }
  signal.addEventListener('abort', stopCall, { once: true })
  call.signal.addEventListener('abort', () => { signal.removeEventListener('abort', stopCall) }, { once: true })
  let handedOver = false
  try {
    let request
    try {
      const parsed = parseBody(body)
      request = await translateRequest(parsed, { api: native.api, provider: native.provider, model: native.model }, imageSource(native.allowImageUrls, call.signal))
    } catch (err) {
      if (err instanceof TranslationError) return jsonResponse(err.status, openAIErrorBody(err.status, 'invalid_request', err.message, { type: 'invalid_request_error', param: err.param }))
      throw err
    }
    const onPayload = nativeFieldsHook(native.api, request.payload)
    const { events: stream, answer } = await native.start(request.context, {
      ...request.options,
      signal: call.signal,
      ...(onPayload != null ? { onPayload } : {})
    })
    const events = stream[Symbol.asyncIterator]()
    const chat = new ChatAnswer(native.model)

    const first = await events.next()
    if (first.done === true) throw new Error('the upstream call ended without an answer')
    if (first.value.type === 'error') {
      const failed = first.value.error
      if (call.signal.aborted) throw call.signal.reason
      if (isRefusal(failed)) return answerRefusal(chat, request.stream, failed)
      if (answer.status == null) throw new Error(failed.errorMessage ?? 'the upstream call failed')
      const error = translatedError(answer, failed)
      return jsonResponse(error.status, error.body, error.headers)
    }
    handedOver = true
    if (!request.stream) return await whole(chat, first.value, events, answer, call)
    return { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }, body: streamed(chat, first.value, events, request.includeUsage, answer, call) }
  } finally {
    if (!handedOver) call.abort(new Error('the answer is over'))
  }
}

function answerRefusal (chat: ChatAnswer, stream: boolean, message: AssistantMessage): ModelResponse {
  if (!stream) return jsonResponse(200, chat.completion(message, true))
  return { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, body: bytes(sse(chat.refusalChunk()), sse('[DONE]')) }
}

async function whole (chat: ChatAnswer, first: AssistantMessageEvent, events: AsyncIterator<AssistantMessageEvent>, answer: NativeAnswer, call: AbortController): Promise<ModelResponse> {
  try {
    let event: AssistantMessageEvent = first
    while (true) {
      if (event.type === 'done') return jsonResponse(200, chat.completion(event.message, false))
      if (event.type === 'error') {
        if (call.signal.aborted) throw call.signal.reason
        if (isRefusal(event.error)) return jsonResponse(200, chat.completion(event.error, true))
        const error = translatedError(answer, event.error)
        return jsonResponse(error.status, error.body, error.headers)
      }
      const next = await events.next()
      if (next.done === true) throw new Error('the upstream answer ended before it was complete')
      event = next.value
    }
  } finally {
    call.abort(new Error('the answer is over'))
  }
}

/**
 * The answer as SSE. The chunks of the events the library hands over in one turn of the event
 * loop (one read of the upstream's stream holds many) leave as one piece, which the mesh then
 * frames, encrypts and writes once instead of once per token; no event waits past that turn.
 */
async function * streamed (chat: ChatAnswer, first: AssistantMessageEvent, events: AsyncIterator<AssistantMessageEvent>, includeUsage: boolean, answer: NativeAnswer, call: AbortController): AsyncGenerator<Uint8Array> {
  let piece = ''
  let turn: Promise<typeof TURN_OVER> | undefined
  try {
    let event: AssistantMessageEvent = first
    while (true) {
      if (event.type === 'error') {
        if (call.signal.aborted) throw call.signal.reason
        const ending = isRefusal(event.error) ? sseText(chat.refusalChunk()) + sseText('[DONE]') : sseText(translatedError(answer, event.error).body)
        yield encoder.encode(piece + ending)
        return
      }
      for (const chunk of chat.chunks(event)) piece += sseText(chunk)
      if (event.type === 'done') {
        if (includeUsage) piece += sseText(chat.usageChunk(event.message.usage))
        yield encoder.encode(piece + sseText('[DONE]'))
        return
      }
      const pending = events.next()
      if (piece.length >= STREAM_PIECE_CHARS || (piece !== '' && await Promise.race([pending, turn ??= turnOver()]) === TURN_OVER)) {
        // the reader may stop here, leaving the next event unread
        pending.catch(() => {})
        yield encoder.encode(piece)
        piece = ''
        turn = undefined
      }
      const next = await pending
      if (next.done === true) throw new Error('the upstream answer ended before it was complete')
      event = next.value
    }
  } finally {
    // the client stopped reading, or the answer is over: either way the native call ends here
    call.abort(new Error('the answer is over'))
  }
}
