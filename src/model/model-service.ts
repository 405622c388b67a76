import { serviceCapabilities } from '@libp2p/interface'
import { REQUEST_DIAL_TIMEOUT_MS } from '../mesh/context.js'
import {
  CALLER_IDLE_GRACE_MS, DEFAULT_CONCURRENCY, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MODEL_TIMEOUT_MS,
  MAX_IDLE_STREAMS_PER_PEER, MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, MAX_UNREAD_BYTES_PER_PEER, MODEL_PROTOCOL,
  SPARE_STREAMS_PER_PEER
} from './constants.js'
import { ModelPlaneError, ModelRemoteError, serverError } from './errors.js'
import { ModelClient } from './model-client.js'
import { ModelServer } from './model-server.js'
import { responseFromFrames } from './response.js'
import { refuseStream, serveStream } from './serve-stream.js'
import { PeerBytes } from '../limits/peer-bytes.js'
import type { MeshModelResponse, ModelCallOptions, ModelLiveLoad, ModelService, ModelServiceComponents, ModelServiceInit } from './index.js'
import type { AnswerTokens, ModelUsage } from './usage.js'
import type { ModelCapability } from '../capabilities/types.js'
import type { MeshContext } from '../mesh/context.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

/**
 * Serves this node's models to the mesh and sends requests to other nodes' models. The handler
 * and the client call sit side by side; both speak the frames of protocols/model.proto.
 */
export class DefaultModelService implements ModelService {
  readonly protocol = MODEL_PROTOCOL
  readonly [Symbol.toStringTag] = 'clawmatrix/model'
  readonly [serviceCapabilities]: string[] = ['clawmatrix/model']
  private readonly server: ModelServer
  private readonly client: ModelClient
  private readonly log: Logger
  private readonly nodeId: string
  private readonly timeoutMs: number
  private readonly maxInboundStreams: number
  private readonly maxOutboundStreams: number
  /** model streams each caller has open here, and the most it may */
  private readonly streamsByPeer = new Map<string, number>()
  private readonly streamsPerPeer: number
  private readonly unread = new PeerBytes(MAX_UNREAD_BYTES_PER_PEER)
  private readonly nodeIdOf?: (peerId: PeerId) => string | undefined
  private stopping = new AbortController()
  private started = false

  constructor (private readonly components: ModelServiceComponents, init: ModelServiceInit) {
    this.log = components.logger.forComponent('clawmatrix:model')
    this.nodeId = init.nodeId ?? components.peerId.toString()
    this.timeoutMs = init.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS
    this.server = new ModelServer({
      models: init.models ?? [],
      timeoutMs: this.timeoutMs,
      concurrency: init.concurrency ?? DEFAULT_CONCURRENCY,
      maxRequestBytes: init.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
      nodeId: this.nodeId,
      peerId: components.peerId.toString()
    })
    this.nodeIdOf = init.nodeIdOf
    this.streamsPerPeer = this.server.perPeerLimit + MAX_IDLE_STREAMS_PER_PEER + SPARE_STREAMS_PER_PEER
    // the libp2p limit stays above the per-caller budget, so the service answers excess streams itself
    this.maxInboundStreams = init.maxInboundStreams ?? Math.max(MAX_INBOUND_STREAMS, 2 * this.streamsPerPeer)
    this.maxOutboundStreams = init.maxOutboundStreams ?? MAX_OUTBOUND_STREAMS
    this.client = new ModelClient({
      connectionManager: components.connectionManager,
      log: this.log,
      dialTimeoutMs: init.dialTimeoutMs ?? REQUEST_DIAL_TIMEOUT_MS,
      idleTimeoutMs: this.timeoutMs + CALLER_IDLE_GRACE_MS
    })
    this.handleStream = this.handleStream.bind(this)
  }

  async start (): Promise<void> {
    this.stopping = new AbortController()
    await this.components.registrar.handle(this.protocol, this.handleStream, {
      maxInboundStreams: this.maxInboundStreams,
      maxOutboundStreams: this.maxOutboundStreams,
      runOnLimitedConnection: true
    })
    this.started = true
  }

  async stop (): Promise<void> {
    this.started = false
    this.stopping.abort(new Error('the model service is stopping'))
    this.client.clear()
    await this.components.registrar.unhandle(this.protocol)
  }

  isStarted (): boolean {
    return this.started
  }

  /** what this node announces about its models */
  capabilities (): ModelCapability[] {
    return this.server.capabilities()
  }

  /** running model requests / capacity */
  get load (): number {
    return this.server.load
  }

  /** running requests against the limit, per model, and the recent error rate */
  liveLoad (): ModelLiveLoad {
    return this.server.liveLoad()
  }

  /** requests and tokens per caller per model served here, since the node started */
  usage (): ModelUsage[] {
    return this.server.usage()
  }

  /** tokens per model served here, since the node started */
  tokenTotals (): Array<{ model: string } & AnswerTokens> {
    return this.server.tokenTotals()
  }

  /** whether this node itself can answer for `modelId` */
  serves (modelId: string): boolean {
    return this.server.serves(modelId)
  }

  /** Ask `peerId` to answer `body` (JSON, `model` already set to `modelId`) */
  async chat (peerId: PeerId, modelId: string, body: Uint8Array<ArrayBuffer>, options: ModelCallOptions): Promise<MeshModelResponse> {
    return await this.client.request({ peerId, nodeId: options.nodeId ?? peerId.toString(), modelId, body, signal: options.signal })
  }

  /** Answer from this node's own backend, with the same limits and the same response shape */
  async chatLocal (modelId: string, body: Uint8Array, options: { signal: AbortSignal }): Promise<MeshModelResponse> {
    let admission
    try {
      admission = this.server.admit(modelId, body.byteLength, { peer: this.components.peerId.toString(), nodeId: this.nodeId })
    } catch (err: any) {
      throw err instanceof ModelPlaneError ? new ModelRemoteError(err.frame(), this.nodeId) : err
    }
    const controller = new AbortController()
    const onAbort = (): void => { controller.abort(options.signal.reason) }
    options.signal.addEventListener('abort', onAbort, { once: true })
    const frames = this.server.answer(admission, body, controller.signal)
    return await responseFromFrames({
      frames,
      settle: (outcome) => {
        options.signal.removeEventListener('abort', onAbort)
        if (outcome !== 'complete') controller.abort(new Error('the request was abandoned'))
        // the generator waits at its last yield: finish it so it frees the slot
        frames.return(undefined).catch(() => {})
      }
    }, { nodeId: this.nodeId, peerId: this.components.peerId.toString() }, options.signal)
  }

  private async handleStream (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const log = stream.log.newScope('model')
    const open = this.streamsByPeer.get(peer) ?? 0
    if (open >= this.streamsPerPeer) {
      log('refused a stream from %s: it has %d model streams open here', peer, open)
      await refuseStream(stream, serverError('busy', `node ${this.nodeId} is busy for this caller: it has ${open} model streams open here, the most one member may`))
      return
    }
    this.streamsByPeer.set(peer, open + 1)
    try {
      const nodeId = this.nodeIdOf?.(connection.remotePeer)
      await serveStream(stream, this.server, { peer, ...(nodeId != null ? { nodeId } : {}), budget: this.unread.for(peer) }, log, this.stopping.signal)
    } finally {
      const left = (this.streamsByPeer.get(peer) ?? 1) - 1
      if (left > 0) this.streamsByPeer.set(peer, left)
      else this.streamsByPeer.delete(peer)
    }
  }
}

/** The model service of a running node (`libp2p.services.model`) */
export function modelServiceOf (ctx: MeshContext): ModelService {
  const service = ctx.libp2p.services.model as ModelService | undefined
  if (service == null) throw new Error('the model service is not running on this node (libp2p.services.model)')
  return service
}
