import { answerObserver } from '../../translate/native-call.js'
import { hostStreamSimple } from '../sdk.js'
import type { ModelLayer, NativeAnswer } from '../../translate/native-call.js'
import type { AssistantMessage, AssistantMessageEvent } from '@openclaw/ai'

const HTTP_STATUS = /^[1-5]\d\d$/
const RETRY_AFTER = /Retry-After: (\d+) seconds?/i
/** the gateway's answer for an API none of its adapters speaks */
const NO_ADAPTER = /^No API provider registered for api: (.+)$/

/**
 * The gateway's layer answers a refused call (4xx/5xx) with an error event that carries the
 * native status, error type and body (`errorCode`, `errorType`, `errorBody`) rather than through
 * `onResponse`: the translation reads the answer from there. A call to an API the gateway has no
 * adapter for never leaves it: that is a 501 naming the API.
 */
export function recordRefusal (answer: NativeAnswer, message: AssistantMessage): void {
  if (answer.status != null) return
  const unsupported = NO_ADAPTER.exec(message.errorMessage ?? '')?.[1]
  if (unsupported != null) {
    answer.status = 501
    answer.errorBody = JSON.stringify({ error: { type: 'unsupported_api', message: `this gateway cannot serve api "${unsupported}": its model layer has no adapter for it` } })
    return
  }
  const failed = message as AssistantMessage & { errorCode?: unknown, errorBody?: unknown }
  const code = String(failed.errorCode ?? '')
  if (!HTTP_STATUS.test(code)) return
  answer.status = Number(code)
  if (typeof failed.errorBody === 'string') answer.errorBody = failed.errorBody
  const retryAfter = RETRY_AFTER.exec(message.errorMessage ?? '')?.[1]
  answer.headers = new Headers(retryAfter != null ? { 'retry-after': retryAfter } : {})
}

async function * watched (events: AsyncIterable<AssistantMessageEvent>, answer: NativeAnswer): AsyncGenerator<AssistantMessageEvent> {
  for await (const event of events) {
    if (event.type === 'error') recordRefusal(answer, event.error)
    yield event
  }
}

/** Native calls through the OpenClaw gateway's own model layer */
export async function hostModelLayer (): Promise<ModelLayer> {
  const streamSimple = await hostStreamSimple()
  return {
    start (model, context, options) {
      const { answer, onResponse } = answerObserver()
      return { events: watched(streamSimple(model, context, { ...options, onResponse }), answer), answer }
    }
  }
}
