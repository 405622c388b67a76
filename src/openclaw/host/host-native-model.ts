import { outputTokenCap } from '../../translate/native-call.js'
import type { ModelLayer, NativeCall, NativeCallOptions, NativeModel } from '../../translate/native-call.js'
import type { Context, Model } from '@openclaw/ai'

/** The key for a call, resolved by the gateway when the call starts (auth profiles, environment, OAuth refreshes) */
export type RuntimeAuth = (model: Model) => Promise<{ apiKey?: string }>

/**
 * A model the gateway itself can use (`models[].provider`: a built-in provider or a
 * `models.providers` entry of any API), called through the gateway's model layer with the key
 * the gateway resolves at each call.
 */
export class HostNativeModel implements NativeModel {
  readonly allowImageUrls = false

  constructor (private readonly target: Model, private readonly layer: ModelLayer, private readonly runtimeAuth?: RuntimeAuth) {}

  get api (): string { return this.target.api }
  get provider (): string { return this.target.provider }
  get model (): string { return this.target.id }

  async start (context: Context, options: NativeCallOptions): Promise<NativeCall> {
    const auth = this.runtimeAuth != null ? await this.runtimeAuth(this.target) : undefined
    // a fresh Model per call: the library may keep per-call state on it
    const model = { ...this.target, maxTokens: outputTokenCap(this.target.maxTokens, options.maxTokens) }
    return this.layer.start(model, context, { ...options, ...(auth?.apiKey != null ? { apiKey: auth.apiKey } : {}) })
  }
}
