import type { ModelLayer, NativeCall, NativeCallOptions, NativeModel } from '../../translate/native-call.js'
import type { PreparedHostModel } from '../sdk.js'
import type { Context, Model } from '@openclaw/ai'

/** The key a call uses, resolved by the gateway when the call starts (OAuth refreshes included) */
export type RuntimeAuth = (model: Model) => Promise<{ apiKey?: string }>

/**
 * A model the gateway itself can use (`models[].provider`: a built-in provider or a
 * `models.providers` entry of any API), called through the gateway's model layer with the Model
 * the gateway prepared, unchanged: it carries the gateway's binding to its providers.
 */
export class HostNativeModel implements NativeModel {
  readonly allowImageUrls = false

  constructor (private readonly prepared: PreparedHostModel, private readonly layer: ModelLayer, private readonly runtimeAuth?: RuntimeAuth) {}

  get api (): string { return this.prepared.model.api }
  get provider (): string { return this.prepared.model.provider }
  get model (): string { return this.prepared.model.id }

  async start (context: Context, options: NativeCallOptions): Promise<NativeCall> {
    const { model, auth } = this.prepared
    const current = this.runtimeAuth != null ? await this.runtimeAuth(model) : undefined
    const apiKey = current?.apiKey ?? auth.apiKey
    return this.layer.start(model, context, { ...options, ...(apiKey != null ? { apiKey } : {}) })
  }
}
