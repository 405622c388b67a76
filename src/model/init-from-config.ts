import { servedModels } from './served-models.js'
import type { ModelServiceInit } from './index.js'
import type { ClawMatrixConfig } from '../config/resolve.js'
import type { ModelConfig } from '../config/schema.js'
import type { ModelBackend } from '../host/ports.js'

/** The model service settings a node's config implies, with the host's backend for each model */
export function modelInitFromConfig (config: ClawMatrixConfig, backendFor: (entry: ModelConfig) => ModelBackend): ModelServiceInit {
  return {
    nodeId: config.nodeId,
    models: servedModels(config.models, backendFor, config.peers),
    timeoutMs: config.modelTimeout,
    concurrency: config.modelConcurrency,
    maxRequestBytes: config.maxRequestBytes
  }
}
