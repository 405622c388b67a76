import { postChatCompletions } from './post-chat-completions.js'
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
  private readonly url?: string
  private readonly apiKey?: string

  constructor (entry: ModelConfig) {
    this.available = entry.upstream != null
    if (entry.upstream == null) {
      this.unavailableReason = NO_UPSTREAM
      return
    }
    this.url = `${entry.upstream.baseUrl.replace(/\/+$/, '')}/chat/completions`
    this.apiKey = entry.upstream.apiKey
  }

  async chat (body: Uint8Array, options: { signal: AbortSignal }): Promise<ModelResponse> {
    if (this.url == null) throw new Error(NO_UPSTREAM)
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (this.apiKey != null) headers.authorization = `Bearer ${this.apiKey}`
    return await postChatCompletions(this.url, headers, body, options.signal)
  }
}

export function httpModelBackend (entry: ModelConfig): ModelBackend {
  return new HttpModelBackend(entry)
}
