import { outputTokenCap } from '../translate/native-call.js'
import type { UpstreamApi } from '../config/schema.js'
import type { ModelLayer, NativeCall, NativeCallOptions, NativeModel } from '../translate/native-call.js'
import type { Context, Model } from '@openclaw/ai'

export type TranslatedApi = Exclude<UpstreamApi, 'openai-completions'>

/** A model's upstream as the translation needs it */
export interface TranslatedUpstream {
  api: TranslatedApi
  baseUrl: string
  apiKey: string
  /** the upstream's name for the model */
  model: string
  headers: Record<string, string>
  allowImageUrls: boolean
  reasoning: boolean
  input: Array<'text' | 'image'>
  maxTokens?: number
  contextWindow?: number
}

const PROVIDER: Record<TranslatedApi, string> = {
  'anthropic-messages': 'anthropic',
  'openai-responses': 'openai',
  'google-generative-ai': 'google',
  'mistral-conversations': 'mistral'
}

/** The SDKs add their own path (`/v1/messages`); the Anthropic base URL is accepted with or without `/v1` */
function libraryBaseUrl (api: TranslatedApi, baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '')
  return api === 'anthropic-messages' ? trimmed.replace(/\/v1$/, '') : trimmed
}

/**
 * An upstream named in this node's config (`models[].upstream`), called through a model layer:
 * this node's own copy of `@openclaw/ai` when standalone, the gateway's inside OpenClaw.
 */
export class UpstreamNativeModel implements NativeModel {
  readonly provider: string

  constructor (private readonly upstream: TranslatedUpstream, private readonly layer: ModelLayer) {
    this.provider = PROVIDER[upstream.api]
  }

  get api (): string { return this.upstream.api }
  get model (): string { return this.upstream.model }
  get allowImageUrls (): boolean { return this.upstream.allowImageUrls }

  async start (context: Context, options: NativeCallOptions): Promise<NativeCall> {
    return this.layer.start(this.modelFor(options), context, { ...options, apiKey: this.upstream.apiKey })
  }

  private modelFor (options: NativeCallOptions): Model {
    const { upstream } = this
    // a client asking for reasoning gets it from a model not marked `reasoning` too: the upstream decides
    return {
      id: upstream.model,
      name: upstream.model,
      api: upstream.api,
      provider: this.provider,
      baseUrl: libraryBaseUrl(upstream.api, upstream.baseUrl),
      reasoning: upstream.reasoning || (options.reasoning != null && options.reasoning !== 'off'),
      input: upstream.input,
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      maxTokens: outputTokenCap(upstream.maxTokens, options.maxTokens),
      ...(upstream.contextWindow != null ? { contextWindow: upstream.contextWindow } : {}),
      headers: upstream.headers
    }
  }
}
