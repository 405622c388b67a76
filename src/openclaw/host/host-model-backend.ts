import { hostModelLayer } from './host-model-layer.js'
import { HostNativeModel } from './host-native-model.js'
import { HOST_MODEL_PREPARE_TIMEOUT_MS, HOST_MODEL_RETRY_MS } from '../constants.js'
import { prepareHostModel } from '../sdk.js'
import type { RuntimeAuth } from './host-native-model.js'
import type { ModelConfig } from '../../config/schema.js'
import type { ModelBackend, ModelResponse } from '../../host/ports.js'
import type { ModelLayer } from '../../translate/native-call.js'
import type { OpenClawConfig } from '../openclaw-api.js'
import type { PreparedHostModel } from '../sdk.js'

export interface HostModelAccess {
  /** the gateway's current config */
  config: () => OpenClawConfig
  /** the agent whose model policy and auth profiles apply */
  agentId?: string
  runtimeAuth?: RuntimeAuth
}

/** What the gateway's catalog knows of a model, announced where `models[]` does not say */
export type HostModelMetadata = NonNullable<ModelBackend['metadata']>

async function * bodyOf (text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text)
}

let layer: Promise<ModelLayer> | undefined

/**
 * A `models[]` entry served by a provider of the gateway's through the gateway's own model layer:
 * the model is resolved as the gateway resolves it (catalog, `models.providers`, auth profiles,
 * OAuth), its key is asked for at each call, and the OpenAI request is translated to its API.
 * The model is prepared when the backend is made; one that cannot be is announced unavailable
 * with the gateway's reason, and tried again on a request after a while.
 */
export class HostModelBackend implements ModelBackend {
  private readonly modelRef: string
  private prepared?: Promise<PreparedHostModel>
  private problem?: string
  private failedAt = 0
  private known?: HostModelMetadata

  constructor (entry: ModelConfig & { provider: string }, private readonly access: HostModelAccess) {
    this.modelRef = `${entry.provider}/${entry.model ?? entry.id}`
    this.prepare().catch(() => {})
  }

  get available (): boolean {
    return this.problem == null
  }

  get unavailableReason (): string | undefined {
    return this.problem
  }

  /** the catalog's metadata of the model, once prepared */
  get metadata (): HostModelMetadata | undefined {
    return this.known
  }

  async chat (body: Uint8Array, options: { signal: AbortSignal }): Promise<ModelResponse> {
    let prepared: PreparedHostModel
    try {
      prepared = await this.prepare()
    } catch (err: any) {
      const message = `model "${this.modelRef}" cannot be served by this gateway: ${String(err?.message ?? err)}`
      return { status: 503, headers: { 'content-type': 'application/json' }, body: bodyOf(JSON.stringify({ error: { message, type: 'server_error', param: null, code: 'model_unavailable' } })) }
    }
    const [{ translateChat }, hostLayer] = await Promise.all([import('../../translate/translate-chat.js'), layer ??= hostModelLayer()])
    return await translateChat(new HostNativeModel(prepared, hostLayer, this.access.runtimeAuth), body, options.signal)
  }

  private async prepare (): Promise<PreparedHostModel> {
    if (this.prepared == null || (this.problem != null && Date.now() - this.failedAt >= HOST_MODEL_RETRY_MS)) {
      this.prepared = this.resolve()
    }
    return await this.prepared
  }

  private async resolve (): Promise<PreparedHostModel> {
    try {
      const result = await prepareHostModel({
        cfg: this.access.config(),
        modelRef: this.modelRef,
        signal: AbortSignal.timeout(HOST_MODEL_PREPARE_TIMEOUT_MS),
        ...(this.access.agentId != null ? { agentId: this.access.agentId } : {})
      })
      if ('error' in result) throw new Error(result.error)
      const { reasoning, input, contextWindow, maxTokens, cost } = result.model
      this.known = { reasoning, input, contextWindow, maxTokens, cost }
      this.problem = undefined
      return result
    } catch (err: any) {
      this.problem = String(err?.message ?? err)
      this.failedAt = Date.now()
      throw err
    }
  }
}
