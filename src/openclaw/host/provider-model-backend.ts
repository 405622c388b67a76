import { literalHeaders } from './gateway-model.js'
import { HostModelBackend } from './host-model-backend.js'
import { hostModelLayer } from './host-model-layer.js'
import { HttpModelBackend } from '../../standalone/http-model-backend.js'
import { postChatCompletions } from '../../standalone/post-chat-completions.js'
import { TranslatingModelBackend } from '../../standalone/translating-model-backend.js'
import { errorResponse } from '../../host/json-response.js'
import { PROXY_PROVIDER_API } from '../constants.js'
import type { HostModelAccess } from './host-model-backend.js'
import type { ModelConfig } from '../../config/schema.js'
import type { ModelBackend, ModelResponse } from '../../host/ports.js'
import type { ProviderConfig } from '../openclaw-api.js'

export interface ProviderAccess extends HostModelAccess {
  /** the provider's key as OpenClaw resolves it (SecretRefs, env, auth profiles) */
  resolveApiKey?: (provider: string) => Promise<string | undefined>
}

/** The `models.providers` entry of `provider` when it is an OpenAI chat-completions endpoint */
function openAICompatibleProvider (access: ProviderAccess, provider: string): ProviderConfig | undefined {
  const config = access.config().models?.providers?.[provider]
  if (config == null || (config.api ?? PROXY_PROVIDER_API) !== PROXY_PROVIDER_API) return undefined
  return typeof config.baseUrl === 'string' && config.baseUrl !== '' ? config : undefined
}

/**
 * A `models[]` entry whose provider is an OpenAI-compatible `models.providers` entry: the request
 * goes straight to that provider's endpoint (its `baseUrl`, key and headers) and the answer
 * streams back byte for byte as the provider sends it. Never through the gateway's own
 * /v1/chat/completions, which would run a full agent turn with this gateway's tools for a remote
 * caller. Should the provider stop being OpenAI-compatible while the node runs, its requests go
 * through the gateway's model layer instead.
 */
export class ProviderModelBackend implements ModelBackend {
  readonly available = true
  readonly upstreamApi = PROXY_PROVIDER_API
  private host?: HostModelBackend

  constructor (private readonly entry: ModelConfig & { provider: string }, private readonly access: ProviderAccess) {}

  private get provider (): string {
    return this.entry.provider
  }

  async chat (body: Uint8Array, options: { signal: AbortSignal }): Promise<ModelResponse> {
    const config = openAICompatibleProvider(this.access, this.provider)
    if (config == null) {
      this.host ??= new HostModelBackend(this.entry, this.access)
      return await this.host.chat(body, options)
    }
    const apiKey = await this.apiKey(config)
    const upstream = { baseUrl: String(config.baseUrl), headers: literalHeaders(config.headers), ...(apiKey != null ? { apiKey } : {}) }
    return await postChatCompletions(upstream, body, options.signal)
  }

  private async apiKey (config: ProviderConfig): Promise<string | undefined> {
    if (this.access.resolveApiKey != null) {
      // a provider without a key (a local server) makes the resolver throw: fall back to the literal
      const resolved = await this.access.resolveApiKey(this.provider).catch(() => undefined)
      if (resolved != null && resolved !== '') return resolved
    }
    return typeof config.apiKey === 'string' ? config.apiKey : undefined
  }
}

const NO_SOURCE = 'set models[].provider to a provider this gateway can use (a built-in one or models.providers.<id>), or models[].upstream'

/**
 * The backend for one `models[]` entry on an OpenClaw host: an OpenAI-compatible
 * `models.providers` entry is passed through; any other provider the gateway can use goes
 * through the gateway's model layer.
 */
export function openClawModelBackend (entry: ModelConfig, access: ProviderAccess): ModelBackend {
  const { upstream } = entry
  if (upstream != null) {
    // a translated upstream runs in the gateway's model layer: the plugin brings no copy of its own
    return upstream.api === 'openai-completions' ? new HttpModelBackend(entry) : new TranslatingModelBackend({ ...entry, upstream }, hostModelLayer)
  }
  if (entry.provider != null) {
    const named = { ...entry, provider: entry.provider }
    return openAICompatibleProvider(access, entry.provider) != null ? new ProviderModelBackend(named, access) : new HostModelBackend(named, access)
  }
  return {
    available: false,
    unavailableReason: NO_SOURCE,
    chat: async () => errorResponse(503, 'model_unavailable', `model "${entry.id}" has no backend: ${NO_SOURCE}`)
  }
}
