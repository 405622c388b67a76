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

import { DefaultModelService } from './model-service.js'
import type { AnswerTokens, ModelUsage } from './usage.js'
import type { ResponseEnd } from '../../protocols/model.js'
import type { ModelCapability } from '../capabilities/types.js'
import type { ModelConfig } from '../config/schema.js'
import type { ModelBackend, ModelResponse } from '../host/ports.js'
import type { Where } from '../router/where.js'
import type { ComponentLogger, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

/** A `models[]` entry this node serves, with the backend that answers for it */
export interface ServedModel {
  entry: ModelConfig
  backend: ModelBackend
  /** the peer IDs `models[].peers` lets call it; absent: every member */
  callers?: ReadonlySet<string>
}

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

export interface ServedBy {
  nodeId: string
  peerId: string
}

/** A model answer arriving through the mesh: the upstream's status and headers, then its bytes */
export interface MeshModelResponse extends ModelResponse {
  servedBy: ServedBy
  /** the end frame (status, byte count, usage), once `body` has been read to its end */
  end?: ResponseEnd
}

/** An answer through the mesh's caller (`chatThroughMesh`), with where the request went */
export interface RoutedModelResponse extends MeshModelResponse {
  where: Where
}

export interface ModelCallOptions {
  signal: AbortSignal
  /** the serving node's id, for messages */
  nodeId?: string
}

/** The model plane's part of the live load report */
export interface ModelLiveLoad {
  inFlight: number
  limit: number
  /** running requests per model id, models with none left out */
  models: ReadonlyMap<string, number>
  /** failed answers (upstream 429 or 5xx, broken answers) among the recent ones, 0..1 */
  errorRate: number
}

/** Serves this node's models to the mesh and sends requests to other nodes' models */
export interface ModelService extends Startable {
  /** what this node announces about its models */
  capabilities(): ModelCapability[]
  /** running model requests / capacity */
  readonly load: number
  /** running requests against the limit, per model, and the recent error rate */
  liveLoad(): ModelLiveLoad
  /** requests and tokens per caller per model served here, since the node started */
  usage(): ModelUsage[]
  /** tokens per model served here, since the node started, every caller's */
  tokenTotals(): Array<{ model: string } & AnswerTokens>
  /** whether this node itself can answer for `modelId` */
  serves(modelId: string): boolean
  /** Ask `peerId` to answer `body` (JSON, `model` already set to `modelId`) */
  chat(peerId: PeerId, modelId: string, body: Uint8Array<ArrayBuffer>, options: ModelCallOptions): Promise<MeshModelResponse>
  /** Answer from this node's own backend, with the same limits and the same response shape */
  chatLocal(modelId: string, body: Uint8Array, options: { signal: AbortSignal }): Promise<MeshModelResponse>
}

export function modelService (init: ModelServiceInit = {}): (components: ModelServiceComponents) => ModelService {
  return (components) => new DefaultModelService(components, init)
}

export { MODEL_PROTOCOL } from './constants.js'
export { modelInitFromConfig, servedModels, unavailableModelWarnings, modelPeersWarnings } from './from-config.js'
export { chatThroughMesh, chat } from './caller.js'
export type { ChatCompletion, ChatCompletionChunk, ChatOptions, ChatThroughMeshOptions } from './caller.js'
export { listMeshModels } from './list-models.js'
export type { ModelList, ModelListEntry, ServingNode, UnavailableNode } from './list-models.js'
export type { CallerUsage, ModelUsage, RequestOutcome, AnswerTokens } from './usage.js'
export * from './errors.js'
