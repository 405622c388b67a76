import { postChatCompletions } from './post-chat-completions.js'
import { TranslatingModelBackend } from './translating-model-backend.js'
import type { ChatUpstream } from './post-chat-completions.js'
import type { ModelConfig } from '../config/schema.js'
import type { ModelBackend, ModelResponse } from '../host/ports.js'

const NO_UPSTREAM = 'no upstream configured (set models[].upstream.baseUrl to an OpenAI-compatible /v1 URL)'

/**
 * A model served by any OpenAI-compatible HTTP server (`models[].upstream`): the request body
 * goes to `<baseUrl>/chat/completions` as it is, the answer comes back as it arrives.
 */
export class HttpModelBackend implements ModelBackend {
  readonly available: boolean
  readonly unavailableReason?: string
  readonly upstreamApi?: string
  private readonly upstream?: ChatUpstream

  constructor (entry: ModelConfig) {
    this.available = entry.upstream != null
    if (entry.upstream == null) {
      this.unavailableReason = NO_UPSTREAM
      return
    }
    this.upstream = entry.upstream
    this.upstreamApi = 'openai-completions'
  }

  async chat (body: Uint8Array, options: { signal: AbortSignal }): Promise<ModelResponse> {
    if (this.upstream == null) throw new Error(NO_UPSTREAM)
    return await postChatCompletions(this.upstream, body, options.signal)
  }
}

/**
 * The standalone backend for a `models[]` entry: OpenAI-compatible upstreams get the byte-faithful
 * passthrough, any other `upstream.api` the translating backend.
 */
export function httpModelBackend (entry: ModelConfig): ModelBackend {
  const { upstream } = entry
  if (upstream != null && upstream.api != null && upstream.api !== 'openai-completions') return new TranslatingModelBackend({ ...entry, upstream })
  return new HttpModelBackend(entry)
}
