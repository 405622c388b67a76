import { DEFAULT_CONTEXT_WINDOW, DEFAULT_MAX_TOKENS, PROXY_PROVIDER_API, UNPINNED_PROVIDER_ID } from '../constants.js'
import type { ProxyModelConfig } from '../../config/schema.js'
import type { ProviderConfig } from '../openclaw-api.js'

/** Where OpenClaw reaches the node's local OpenAI-compatible proxy */
export interface ProxyEndpoint {
  /** `http://127.0.0.1:<proxyPort>/v1` */
  baseUrl: string
  /** the node's apiToken */
  apiKey: string
}

function modelDefinition (model: ProxyModelConfig): Record<string, unknown> {
  return {
    id: model.id,
    name: model.description ?? model.id,
    reasoning: model.reasoning ?? false,
    input: model.input ?? ['text'],
    cost: model.cost ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow: model.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
    maxTokens: model.maxTokens ?? DEFAULT_MAX_TOKENS
  }
}

/**
 * The `models.providers` entries that make consumed remote models selectable in OpenClaw: one
 * provider per serving node for pinned entries (`/model <nodeId>/<modelId>`) and `clawmatrix`
 * for the rest (`clawmatrix/<modelId>`, routed per request). All point at the local proxy, which
 * resolves the model id against `proxyModels` again, pins included.
 */
export function proxyProviders (proxyModels: ProxyModelConfig[], endpoint: ProxyEndpoint): Record<string, ProviderConfig> {
  const byProvider = new Map<string, Map<string, Record<string, unknown>>>()
  for (const model of proxyModels) {
    const providerId = model.nodeId ?? UNPINNED_PROVIDER_ID
    const models = byProvider.get(providerId) ?? new Map<string, Record<string, unknown>>()
    if (!models.has(model.id)) models.set(model.id, modelDefinition(model))
    byProvider.set(providerId, models)
  }
  const providers: Record<string, ProviderConfig> = {}
  for (const [providerId, models] of byProvider) {
    providers[providerId] = {
      baseUrl: endpoint.baseUrl,
      apiKey: endpoint.apiKey,
      api: PROXY_PROVIDER_API,
      models: [...models.values()]
    }
  }
  return providers
}
