import type { ModelConfig } from '../config/schema.js'
import type { ModelBackend, ModelResponse } from '../host/ports.js'
import type { TranslatedUpstream } from './translate/translate-chat.js'

type Translator = typeof import('./translate/translate-chat.js')

/**
 * The translation code and the vendor SDKs it brings, loaded once a model whose upstream is not
 * OpenAI chat completions is set up: a node that serves no such model never loads it.
 */
let translator: Promise<Translator> | undefined

async function loadTranslator (): Promise<Translator> {
  translator ??= import('./translate/translate-chat.js')
  return await translator
}

/**
 * A model whose upstream speaks another API (`models[].upstream.api`): each OpenAI
 * chat-completions request is turned into the upstream's native call, and its answer back into
 * an OpenAI answer, streamed or whole.
 */
export class TranslatingModelBackend implements ModelBackend {
  readonly available = true
  private readonly upstream: TranslatedUpstream

  constructor (entry: ModelConfig & { upstream: NonNullable<ModelConfig['upstream']> }) {
    this.upstream = {
      api: entry.upstream.api,
      baseUrl: entry.upstream.baseUrl,
      apiKey: entry.upstream.apiKey ?? '',
      model: entry.upstream.model ?? entry.id,
      headers: entry.upstream.headers ?? {},
      allowImageUrls: entry.upstream.allowImageUrls,
      reasoning: entry.reasoning ?? false,
      input: entry.input ?? ['text', 'image'],
      ...(entry.maxTokens != null ? { maxTokens: entry.maxTokens } : {}),
      ...(entry.contextWindow != null ? { contextWindow: entry.contextWindow } : {})
    }
    // loading the vendor SDKs blocks the event loop for a while (0.2 s on an idle machine, more
    // under load): pay that while the node starts, not in the middle of its first answer, where
    // peers waiting for a ping would take the node for silent. A failure shows on the first request.
    loadTranslator().catch(() => {})
  }

  async chat (body: Uint8Array, options: { signal: AbortSignal }): Promise<ModelResponse> {
    const { translateChat } = await loadTranslator()
    return await translateChat(this.upstream, body, options.signal)
  }
}
