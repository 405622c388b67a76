import { httpModelBackend } from '../../standalone/http-model-backend.js'
import { postChatCompletions } from '../../standalone/post-chat-completions.js'
import { PROXY_PROVIDER_API } from '../constants.js'
import type { ModelConfig } from '../../config/schema.js'
import type { ModelBackend, ModelResponse } from '../../host/ports.js'
import type { OpenClawConfig, ProviderConfig } from '../openclaw-api.js'

/** The model apis whose endpoint speaks OpenAI chat completions */
const OPENAI_COMPATIBLE_APIS = new Set([PROXY_PROVIDER_API])

export interface ProviderAccess {
  /** the gateway's current config (it changes while the node runs) */
  config: () => OpenClawConfig
  /** the provider's key as OpenClaw resolves it (SecretRefs, env, auth profiles) */
  resolveApiKey?: (provider: string) => Promise<string | undefined>
}

async function * bodyOf (text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text)
}

function errorResponse (status: number, code: string, message: string): ModelResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: bodyOf(JSON.stringify({ error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code } }))
  }
}

function stringHeaders (headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') out[name.toLowerCase()] = value
  }
  return out
}

/**
 * A `models[]` entry served by the OpenClaw provider it names: the request goes straight to that
 * provider's configured endpoint (`models.providers.<provider>.baseUrl`, its key and headers) and
 * the answer streams back as the provider sends it. Never through the gateway's own
 * /v1/chat/completions, which would run a full agent turn with this gateway's tools for a remote
 * caller. `upstream`, when given, wins.
 */
export class ProviderModelBackend implements ModelBackend {
  readonly available: boolean
  readonly unavailableReason?: string

  constructor (private readonly provider: string, private readonly access: ProviderAccess) {
    const found = this.providerConfig()
    this.available = found.config != null
    if (found.problem != null) this.unavailableReason = found.problem
  }

  async chat (body: Uint8Array, options: { signal: AbortSignal }): Promise<ModelResponse> {
    const { config, problem } = this.providerConfig()
    if (config == null) return errorResponse(503, 'provider_not_configured', problem ?? `provider "${this.provider}" is not configured`)
    const api = config.api ?? PROXY_PROVIDER_API
    if (!OPENAI_COMPATIBLE_APIS.has(api)) {
      return errorResponse(501, 'unsupported_provider_api', `provider "${this.provider}" uses the "${api}" api; only OpenAI-compatible providers (api "${PROXY_PROVIDER_API}") can be shared`)
    }
    const apiKey = await this.apiKey(config)
    const upstream = { baseUrl: String(config.baseUrl), headers: stringHeaders(config.headers), ...(apiKey != null ? { apiKey } : {}) }
    return await postChatCompletions(upstream, body, options.signal)
  }

  private providerConfig (): { config?: ProviderConfig, problem?: string } {
    const config = this.access.config().models?.providers?.[this.provider]
    if (config == null) return { problem: `OpenClaw has no provider "${this.provider}" (models.providers.${this.provider})` }
    if (typeof config.baseUrl !== 'string' || config.baseUrl === '') return { problem: `models.providers.${this.provider} has no baseUrl` }
    return { config }
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

const NO_SOURCE = 'set models[].provider to an OpenClaw provider id (models.providers.<id>), or models[].upstream'

/** The backend for one `models[]` entry on an OpenClaw host */
export function openClawModelBackend (entry: ModelConfig, access: ProviderAccess): ModelBackend {
  if (entry.upstream != null) return httpModelBackend(entry)
  if (entry.provider != null) return new ProviderModelBackend(entry.provider, access)
  return {
    available: false,
    unavailableReason: NO_SOURCE,
    chat: async () => errorResponse(503, 'model_unavailable', `model "${entry.id}" has no backend: ${NO_SOURCE}`)
  }
}
