/**
 * The model plane: `/clawmatrix/model/1.0.0` carries OpenAI chat-completions requests to the
 * node that serves a model and the upstream's answer back, bytes unchanged.
 *
 * @example
 *
 * ```ts
 * const node = await createLibp2p({
 *   ...,
 *   services: { model: modelService({ nodeId: 'office', models: [{ entry, backend }] }) }
 * })
 * const answer = await node.services.model.chat(peerId, 'gpt-4o', body, { signal })
 * ```
 */

import { ModelService } from './model-service.js'
import type { ServedModel } from './model-server.js'
import type { ComponentLogger, PeerId } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export interface ModelServiceInit {
  /** this node's id, used in messages to callers */
  nodeId?: string
  /** the models this node serves */
  models?: ServedModel[]
  /** ms of upstream silence before a request is ended (config `modelTimeout`) */
  timeoutMs?: number
  /** requests served at once (config `modelConcurrency`) */
  concurrency?: number
  /** largest request body accepted (config `maxRequestBytes`) */
  maxRequestBytes?: number
  /** deadline for opening a stream to a serving node */
  dialTimeoutMs?: number
  maxInboundStreams?: number
  maxOutboundStreams?: number
  /** the node id a caller announced, for the usage counts */
  nodeIdOf?: (peerId: PeerId) => string | undefined
}

export interface ModelServiceComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export function modelService (init: ModelServiceInit = {}): (components: ModelServiceComponents) => ModelService {
  return (components) => new ModelService(components, init)
}

export { ModelService } from './model-service.js'
export type { ModelCallOptions } from './model-service.js'
export type { ServedModel } from './model-server.js'
export type { CallerUsage, ModelUsage, RequestOutcome, AnswerTokens } from './caller-usage.js'
export type { MeshModelResponse, ServedBy } from './response.js'
export { MODEL_PROTOCOL } from './constants.js'
export { modelInitFromConfig } from './init-from-config.js'
export { servedModels, unavailableModelWarnings, modelPeersWarnings } from './served-models.js'
export { chatThroughMesh } from './chat-through-mesh.js'
export { chat } from './chat.js'
export type { ChatCompletion, ChatCompletionChunk, ChatOptions } from './chat.js'
export { listMeshModels } from './list-models.js'
export type { ModelList, ModelListEntry, ServingNode, UnavailableNode } from './list-models.js'
export * from './errors.js'
