import { createRequire } from 'node:module'
import type { ModelConfig } from '../config/schema.js'
import type { ModelBackend, ModelResponse } from '../host/ports.js'
import type { ModelLayer, NativeModel } from '../translate/native-call.js'
import type { TranslatedApi, TranslatedUpstream } from './upstream-native-model.js'

interface Translator {
  translateChat: typeof import('../translate/translate-chat.js').translateChat
  UpstreamNativeModel: typeof import('./upstream-native-model.js').UpstreamNativeModel
}

/**
 * The translation code and the vendor SDKs it brings, loaded once a model whose upstream is not
 * OpenAI chat completions is set up: a node that serves no such model never loads it.
 */
let translator: Promise<Translator> | undefined

async function loadTranslator (): Promise<Translator> {
  translator ??= Promise.all([import('../translate/translate-chat.js'), import('./upstream-native-model.js')])
    .then(([{ translateChat }, { UpstreamNativeModel }]) => ({ translateChat, UpstreamNativeModel }))
  return await translator
}

/** This node's own copy of `@openclaw/ai`, loaded with the vendor SDKs it brings */
export async function ownModelLayer (): Promise<ModelLayer> {
  return (await import('./own-llm-runtime.js')).ownModelLayer
}

/**
 * `@openclaw/ai` is an optional peer dependency: a standalone node that serves a translated model
 * needs it installed beside clawmatrix; inside OpenClaw the gateway's own copy is used.
 */
function missingLibrary (api: string): string | undefined {
  try {
    createRequire(import.meta.url).resolve('@openclaw/ai')
    return undefined
  } catch {
    return `upstream.api "${api}" needs the @openclaw/ai package beside clawmatrix: npm install @openclaw/ai@2026.9.6`
  }
}

/**
 * A model whose upstream speaks another API (`models[].upstream.api`): each OpenAI
 * chat-completions request is turned into the upstream's native call, and its answer back into
 * an OpenAI answer, streamed or whole.
 */
export class TranslatingModelBackend implements ModelBackend {
  readonly available: boolean
  readonly unavailableReason?: string
  readonly upstreamApi: string
  private readonly upstream: TranslatedUpstream
  private native?: Promise<NativeModel>

  /** `layer`: where the native calls run; this node's own copy of the library unless a host brings its own */
  constructor (entry: ModelConfig & { upstream: NonNullable<ModelConfig['upstream']> }, private readonly layer?: () => Promise<ModelLayer>) {
    this.upstream = {
      api: entry.upstream.api as TranslatedApi,
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
    this.upstreamApi = entry.upstream.api
    const missing = layer == null ? missingLibrary(entry.upstream.api) : undefined
    this.available = missing == null
    if (missing != null) {
      this.unavailableReason = missing
      return
    }
    // loading the vendor SDKs blocks the event loop for a while (0.2 s on an idle machine, more
    // under load): pay that while the node starts, not in the middle of its first answer, where
    // peers waiting for a ping would take the node for silent. A failure shows on the first request.
    this.nativeModel().catch(() => {})
  }

  async chat (body: Uint8Array, options: { signal: AbortSignal }): Promise<ModelResponse> {
    const [{ translateChat }, native] = await Promise.all([loadTranslator(), this.nativeModel()])
    return await translateChat(native, body, options.signal)
  }

  private async nativeModel (): Promise<NativeModel> {
    this.native ??= Promise.all([loadTranslator(), (this.layer ?? ownModelLayer)()])
      .then(([{ UpstreamNativeModel }, layer]) => new UpstreamNativeModel(this.upstream, layer))
    return await this.native
  }
}
