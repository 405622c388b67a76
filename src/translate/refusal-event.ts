import type { NativeAnswer } from './native-call.js'
import type { AssistantMessage, AssistantMessageEvent } from '@openclaw/ai'

const HTTP_STATUS = /^[1-5]\d\d$/
const RETRY_AFTER = /Retry-After: (\d+) seconds?/i
/** the library's answer for an API none of its adapters speaks */
const NO_ADAPTER = /^No API provider registered for api: (.+)$/
/** a vendor SDK's error message that quotes the answer's body: `429: {...}` */
const QUOTED_BODY = /^\d{3}:? (\{.*\})/s

/**
 * Where the HTTP answer was not seen (a vendor SDK with a fetch of its own, or the gateway's copy
 * of the library), the library's error event still carries the native status and body
 * (`errorCode`, `errorBody` or the body quoted in the message, "Retry-After: N seconds"): the
 * translation reads the answer from there. A call to an API the library has no adapter for never
 * leaves the node: that is a 501 naming the API.
 */
export function recordRefusal (answer: NativeAnswer, message: AssistantMessage): void {
  if (answer.status != null) return
  const unsupported = NO_ADAPTER.exec(message.errorMessage ?? '')?.[1]
  if (unsupported != null) {
    answer.status = 501
    answer.errorBody = JSON.stringify({ error: { type: 'unsupported_api', message: `this node cannot serve api "${unsupported}": its model layer has no adapter for it` } })
    return
  }
  const failed = message as AssistantMessage & { errorCode?: unknown, errorBody?: unknown }
  const code = String(failed.errorCode ?? '')
  if (!HTTP_STATUS.test(code)) return
  answer.status = Number(code)
  const quoted = QUOTED_BODY.exec(message.errorMessage ?? '')?.[1]
  if (typeof failed.errorBody === 'string') answer.errorBody = failed.errorBody
  else if (quoted != null) answer.errorBody = quoted
  const retryAfter = RETRY_AFTER.exec(message.errorMessage ?? '')?.[1]
  answer.headers = new Headers(retryAfter != null ? { 'retry-after': retryAfter } : {})
}

/** The events as they come, the native answer completed from the first error event */
export async function * watchRefusals (events: AsyncIterable<AssistantMessageEvent>, answer: NativeAnswer): AsyncGenerator<AssistantMessageEvent> {
  for await (const event of events) {
    if (event.type === 'error') recordRefusal(answer, event.error)
    yield event
  }
}
