import { gatewayModel } from './gateway-model.js'
import { hostModelLayer } from './host-model-layer.js'
import { HostNativeModel } from './host-native-model.js'
import { HOST_MODEL_RETRY_MS } from '../constants.js'
import { errorResponse } from '../../host/json-response.js'
import { modelCatalogReader } from '../sdk.js'
import type { RuntimeAuth } from './host-native-model.js'
import type { ModelConfig } from '../../config/schema.js'
import type { ModelBackend, ModelResponse } from '../../host/ports.js'
import type { ModelLayer } from '../../translate/native-call.js'
import type { OpenClawConfig } from '../openclaw-api.js'
import type { Model } from '@openclaw/ai'

export interface HostModelAccess {
  /** the gateway's current config */
  config: () => OpenClawConfig
  runtimeAuth?: RuntimeAuth
}

/** What the gateway knows of a model, announced where `models[]` does not say */
export type HostModelMetadata = NonNullable<ModelBackend['metadata']>

let layer: Promise<ModelLayer> | undefined

/**
 * A `models[]` entry served by a provider of the gateway's through the gateway's own model layer:
 * the model as `models.providers` and the gateway's catalog describe it, its key resolved by the
 * gateway at each call (auth profiles, environment, OAuth), the OpenAI request translated to its
 * API. Nothing is prepared and held, so the gateway can reload the plugin at any time. A model the
 * gateway cannot describe or has no key for is announced unavailable with the gateway's reason,
 * and looked at again on a request after a while.
 */
export class HostModelBackend implements ModelBackend {
  private resolved?: Promise<Model>
  private problem?: string
  private failedAt = 0
  /** the model as last resolved */
  private described?: Model

  constructor (private readonly entry: ModelConfig & { provider: string }, private readonly access: HostModelAccess) {
    this.target().catch(() => {})
  }

  get available (): boolean {
    return this.problem == null
  }

  get unavailableReason (): string | undefined {
    return this.problem
  }

  get metadata (): HostModelMetadata | undefined {
    if (this.described == null) return undefined
    const { reasoning, input, contextWindow, maxTokens, cost } = this.described
    return { reasoning, input, ...(contextWindow != null ? { contextWindow } : {}), ...(maxTokens != null ? { maxTokens } : {}), cost }
  }

  /** the API the gateway speaks to the model, once known */
  get upstreamApi (): string | undefined {
    return this.described?.api
  }

  async chat (body: Uint8Array, options: { signal: AbortSignal }): Promise<ModelResponse> {
    let target: Model
    try {
      target = await this.target()
    } catch (err: any) {
      return errorResponse(503, 'model_unavailable', `model "${this.entry.provider}/${this.modelId}" cannot be served by this gateway: ${String(err?.message ?? err)}`)
    }
    const [{ translateChat }, hostLayer] = await Promise.all([import('../../translate/translate-chat.js'), layer ??= hostModelLayer()])
    return await translateChat(new HostNativeModel(target, hostLayer, this.access.runtimeAuth), body, options.signal)
  }

  private get modelId (): string {
    return this.entry.model ?? this.entry.id
  }

  private async target (): Promise<Model> {
    if (this.resolved == null || (this.problem != null && Date.now() - this.failedAt >= HOST_MODEL_RETRY_MS)) {
      this.resolved = this.resolve()
    }
    return await this.resolved
  }

  private async resolve (): Promise<Model> {
    try {
      const config = this.access.config()
      const catalog = await modelCatalogReader().then(read => read(config)).catch(() => [])
      const model = gatewayModel(config, catalog, this.entry.provider, this.modelId)
      // a key the gateway cannot find makes the model unavailable, with the gateway's own words
      if (this.access.runtimeAuth != null) await this.access.runtimeAuth(model)
      this.described = model
      this.problem = undefined
      return model
    } catch (err: any) {
      this.problem = String(err?.message ?? err)
      this.failedAt = Date.now()
      throw err
    }
  }
}
