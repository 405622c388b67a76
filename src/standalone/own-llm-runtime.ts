import { configureAiTransportHost, createLlmRuntime, getAiTransportHost } from '@openclaw/ai'
import { registerBuiltInApiProviders } from '@openclaw/ai/providers'
import { MAX_ERROR_BODY_BYTES } from '../translate/constants.js'
import { watchRefusals } from '../translate/refusal-event.js'
import type { ModelLayer, NativeAnswer } from '../translate/native-call.js'
import type { LlmRuntime, Model } from '@openclaw/ai'

/** The calls in flight: the Model object of each call is its key */
const answers = new WeakMap<Model, NativeAnswer>()

async function readBounded (response: Response): Promise<string> {
  const reader = response.body?.getReader()
  if (reader == null) return ''
  const parts: Uint8Array[] = []
  let size = 0
  try {
    while (size < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      parts.push(value)
      size += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(parts).toString('utf8').slice(0, MAX_ERROR_BODY_BYTES)
}

function observingFetch (answer: NativeAnswer, inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init)
    answer.status = response.status
    answer.headers = response.headers
    if (response.status >= 400) answer.errorBody = await readBounded(response.clone())
    return response
  }
}

/**
 * The library's runtime with its built-in providers, one per process. The native status, headers
 * (`retry-after`) and error body of each call are read through the library's host fetch port,
 * for this module's own calls only: whatever host was configured before keeps serving the rest.
 */
function createRuntime (): LlmRuntime {
  const runtime = createLlmRuntime()
  registerBuiltInApiProviders(runtime.registry)
  const previous = getAiTransportHost()
  configureAiTransportHost({
    ...previous,
    buildModelFetch: (model, timeoutMs, options) => {
      const before = previous.buildModelFetch(model, timeoutMs, options)
      const answer = answers.get(model)
      if (answer == null) return before
      return observingFetch(answer, before ?? globalThis.fetch)
    }
  })
  return runtime
}

let runtime: LlmRuntime | undefined

/**
 * This node's own copy of the library. Each call's Model object must be a fresh one: it is the
 * key its HTTP answer is recorded under.
 */
export const ownModelLayer: ModelLayer = {
  start (model, context, options) {
    runtime ??= createRuntime()
    const answer: NativeAnswer = {}
    answers.set(model, answer)
    return { events: watchRefusals(runtime.streamSimple(model, context, options), answer), answer }
  }
}
