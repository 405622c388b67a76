import type { CatalogEntry } from '../sdk.js'
import type { OpenClawConfig } from '../openclaw-api.js'
import type { Model } from '@openclaw/ai'

/**
 * The API and public endpoint of the built-in providers, for a model that neither
 * `models.providers` nor the gateway's published catalog describes. The vendor SDKs use these
 * same endpoints when no base URL is given.
 */
const BUILT_IN_PROVIDERS: Record<string, { api: string, baseUrl: string }> = {
  anthropic: { api: 'anthropic-messages', baseUrl: 'https://api.anthropic.com' },
  openai: { api: 'openai-responses', baseUrl: 'https://api.openai.com/v1' },
  google: { api: 'google-generative-ai', baseUrl: 'https://generativelanguage.googleapis.com/v1beta' },
  mistral: { api: 'mistral-conversations', baseUrl: 'https://api.mistral.ai' },
  openrouter: { api: 'openai-completions', baseUrl: 'https://openrouter.ai/api/v1' },
  xai: { api: 'openai-completions', baseUrl: 'https://api.x.ai/v1' },
  groq: { api: 'openai-completions', baseUrl: 'https://api.groq.com/openai/v1' }
}

const NO_COST = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }

/** A provider's `headers` with literal values, names lowercased (a SecretRef is the gateway's to resolve) */
export function literalHeaders (headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') out[name.toLowerCase()] = value
  }
  return out
}

function modelDefinition (models: unknown[] | undefined, id: string): Record<string, any> | undefined {
  return models?.find((m): m is Record<string, any> => m != null && typeof m === 'object' && (m as { id?: unknown }).id === id)
}

/**
 * The Model the gateway's model layer is called with for `<provider>/<modelId>`: what
 * `models.providers.<provider>` says (its endpoint, API, headers, the model's card) wins, then
 * the gateway's published catalog, then the built-in provider's public endpoint. Credentials are
 * not part of it: the gateway resolves them for each call.
 */
export function gatewayModel (config: OpenClawConfig, catalog: CatalogEntry[], provider: string, modelId: string): Model {
  const configured = config.models?.providers?.[provider]
  const card = modelDefinition(configured?.models, modelId)
  const listed = catalog.find(entry => entry.provider === provider && entry.id === modelId)
  const builtIn = BUILT_IN_PROVIDERS[provider]
  const api = card?.api ?? configured?.api ?? listed?.api ?? builtIn?.api
  const baseUrl = configured?.baseUrl ?? listed?.baseUrl ?? builtIn?.baseUrl
  if (api == null || baseUrl == null) {
    throw new Error(`this gateway knows no provider "${provider}" serving "${modelId}": add models.providers.${provider} (baseUrl, api, models) or use a built-in provider (${Object.keys(BUILT_IN_PROVIDERS).join(', ')})`)
  }
  return {
    id: modelId,
    name: card?.name ?? modelId,
    api,
    provider,
    baseUrl,
    reasoning: card?.reasoning ?? listed?.reasoning ?? false,
    input: card?.input ?? listed?.input ?? ['text'],
    cost: card?.cost ?? listed?.cost ?? NO_COST,
    ...((card?.contextWindow ?? listed?.contextWindow) != null ? { contextWindow: card?.contextWindow ?? listed?.contextWindow } : {}),
    ...((card?.maxTokens ?? listed?.maxTokens) != null ? { maxTokens: card?.maxTokens ?? listed?.maxTokens } : {}),
    headers: literalHeaders(configured?.headers)
  } as Model
}
