import { CallerFrame, ServerFrame } from '../../protocols/model.js'
import {
  CALLER_STREAM_IDLE_MS, FRAME_DATA_BYTES, MAX_FRAME_BYTES, MAX_IDLE_STREAMS, MAX_IDLE_STREAMS_PER_PEER, MODEL_PROTOCOL,
  PAUSED_READ_BUFFER_BYTES, READ_HIGH_WATER_BYTES, STREAM_LINGER_MS
} from './constants.js'
import { ModelTimeoutError, ModelTransportError, StreamRefusedError } from './errors.js'
import { FrameReader } from '../utils/frame-reader.js'
import { encodeFrame, writeFrame } from './frame-writer.js'
import { responseFromFrames } from './response.js'
import { closeStream } from '../utils/close-stream.js'
import { IdleTimer } from '../utils/idle-timer.js'
import type { MeshModelResponse } from './index.js'
import type { Outcome } from './response.js'
import type { Logger, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface ClientRequest {
  peerId: PeerId
  /** the serving node's id, for messages */
  nodeId: string
  modelId: string
  body: Uint8Array<ArrayBuffer>
  signal: AbortSignal
}

export interface ModelClientInit {
  connectionManager: ConnectionManager
  log: Logger
  dialTimeoutMs: number
  /** ms without a frame before the caller gives up */
  idleTimeoutMs: number
}

/** The request as frames: the first carries up to FRAME_DATA_BYTES of the body, the rest follow */
function requestFrames (modelId: string, body: Uint8Array<ArrayBuffer>): CallerFrame[] {
  const frames: CallerFrame[] = [{ request: { model: modelId, bodyLength: body.byteLength, body: body.subarray(0, FRAME_DATA_BYTES) } }]
  for (let offset = FRAME_DATA_BYTES; offset < body.byteLength; offset += FRAME_DATA_BYTES) {
    frames.push({ body: { data: body.subarray(offset, offset + FRAME_DATA_BYTES) } })
  }
  return frames
}

async function sendRequest (stream: Stream, frames: CallerFrame[], signal: AbortSignal): Promise<void> {
  for (const frame of frames) await writeFrame(stream, CallerFrame.codec(), frame, signal)
}

/** An open model stream between requests, with the reader that keeps its place in the frames */
interface IdleStream {
  stream: Stream
  reader: FrameReader<ServerFrame>
}

interface StreamPoolInit {
  maxIdlePerPeer: number
  maxIdle: number
  /** an idle stream is closed after this long */
  idleMs: number
  lingerMs: number
}

interface Parked extends IdleStream {
  peer: string
  timer: NodeJS.Timeout
  onGone: () => void
}

function usable ({ stream, reader }: IdleStream): boolean {
  return stream.status === 'open' && stream.writeStatus === 'writable' && stream.readStatus === 'readable' &&
    stream.remoteWriteStatus === 'writable' && reader.buffered === 0
}

/**
 * Idle streams to serving nodes, kept for the next request: a request on an open stream costs
 * one round trip, a new stream (negotiated optimistically) about a millisecond more. Bounded per
 * peer and in all; idle streams close after `idleMs`, before the serving side gives up on them.
 */
class StreamPool {
  private readonly parked = new Map<string, Parked[]>()
  private count = 0

  constructor (private readonly init: StreamPoolInit) {}

  /** an idle stream to `peer`, most recently used first */
  take (peer: string): IdleStream | undefined {
    const list = this.parked.get(peer)
    while (list != null && list.length > 0) {
      const entry = list.pop() as Parked
      this.unpark(entry)
      if (list.length === 0) this.parked.delete(peer)
      if (usable(entry)) return { stream: entry.stream, reader: entry.reader }
      this.close(entry)
    }
    if (list?.length === 0) this.parked.delete(peer)
    return undefined
  }

  /** keep a stream whose last request ended cleanly, or close it if it cannot be kept */
  put (peer: string, idle: IdleStream): void {
    const list = this.parked.get(peer) ?? []
    if (!usable(idle) || list.length >= this.init.maxIdlePerPeer || this.count >= this.init.maxIdle) {
      this.close(idle)
      return
    }
    const entry: Parked = {
      ...idle,
      peer,
      timer: setTimeout(() => { this.drop(entry) }, this.init.idleMs),
      onGone: () => { this.drop(entry) }
    }
    entry.timer.unref()
    idle.stream.addEventListener('remoteCloseWrite', entry.onGone, { once: true })
    idle.stream.addEventListener('close', entry.onGone, { once: true })
    list.push(entry)
    this.parked.set(peer, list)
    this.count++
  }

  /** close every idle stream */
  clear (): void {
    for (const list of this.parked.values()) {
      for (const entry of list.splice(0)) {
        this.unpark(entry)
        this.close(entry)
      }
    }
    this.parked.clear()
  }

  private drop (entry: Parked): void {
    const list = this.parked.get(entry.peer)
    const index = list?.indexOf(entry) ?? -1
    if (list == null || index < 0) return
    list.splice(index, 1)
    if (list.length === 0) this.parked.delete(entry.peer)
    this.unpark(entry)
    this.close(entry)
  }

  private unpark (entry: Parked): void {
    clearTimeout(entry.timer)
    entry.stream.removeEventListener('remoteCloseWrite', entry.onGone)
    entry.stream.removeEventListener('close', entry.onGone)
    this.count--
  }

  private close (idle: IdleStream): void {
    idle.reader.dispose()
    closeStream(idle.stream, this.init.lingerMs).catch(() => {})
  }
}

/**
 * The calling side of the model protocol. A request goes on an idle stream to the serving node
 * when there is one, else on a new stream negotiated optimistically (`negotiateFully: false`: the
 * protocol name travels with the request, and an unsupported protocol shows up as a failure to
 * read the answer). A stream whose answer ended cleanly is kept for the next request.
 */
export class ModelClient {
  private readonly pool = new StreamPool({
    maxIdlePerPeer: MAX_IDLE_STREAMS_PER_PEER,
    maxIdle: MAX_IDLE_STREAMS,
    idleMs: CALLER_STREAM_IDLE_MS,
    lingerMs: STREAM_LINGER_MS
  })

  constructor (private readonly init: ModelClientInit) {}

  async request (request: ClientRequest): Promise<MeshModelResponse> {
    const idle = this.pool.take(request.peerId.toString())
    if (idle != null) {
      try {
        return await this.exchange(idle, request)
      } catch (err) {
        // the serving side may have closed the stream as it was picked up: try once on a new one
        if (!(err instanceof ModelTransportError) || request.signal.aborted) throw err
        this.init.log('idle stream to %s failed (%s), opening a new one', request.nodeId, err.message)
      }
    }
    const fresh = await this.open(request)
    try {
      return await this.exchange(fresh, request)
    } catch (err) {
      throw this.refusedForLoad(err, fresh.stream, request) ?? err
    }
  }

  /**
   * A new stream the serving node reset before any frame, while the connection to it stays
   * open, was refused (a stream limit), not lost: the node is reachable and must not be taken
   * for a failed one.
   */
  private refusedForLoad (err: unknown, stream: Stream, request: ClientRequest): StreamRefusedError | undefined {
    if (!(err instanceof ModelTransportError) || stream.status !== 'reset' || request.signal.aborted) return undefined
    const connected = this.init.connectionManager.getConnections(request.peerId).some(c => c.status === 'open')
    if (!connected) return undefined
    return new StreamRefusedError(`node ${request.nodeId} refused the stream for the request (${err.message}); it is reachable`, request.nodeId)
  }

  /**
   * `stream` runs on a relayed connection while a direct one to the peer is open now (punched or
   * found on the LAN during the request): it is not kept, so the next request opens its stream on
   * the direct connection and the relayed one can close
   */
  private directPathOpened (peer: PeerId, stream: Stream): boolean {
    const connections = this.init.connectionManager.getConnections(peer).filter(c => c.status === 'open')
    return connections.some(c => c.direct) && connections.some(c => !c.direct && c.streams.includes(stream))
  }

  /** close every idle stream */
  clear (): void {
    this.pool.clear()
  }

  private async open (request: ClientRequest): Promise<IdleStream> {
    try {
      const stream = await this.init.connectionManager.openStream(request.peerId, MODEL_PROTOCOL, {
        signal: AbortSignal.any([request.signal, AbortSignal.timeout(this.init.dialTimeoutMs)]),
        runOnLimitedConnection: true,
        negotiateFully: false
      })
      return { stream, reader: new FrameReader(stream, ServerFrame.codec(), { maxFrameBytes: MAX_FRAME_BYTES, highWaterBytes: READ_HIGH_WATER_BYTES, pausedBufferBytes: PAUSED_READ_BUFFER_BYTES }) }
    } catch (err: any) {
      if (request.signal.aborted) throw request.signal.reason
      if (err?.name === 'TooManyOutboundProtocolStreamsError') {
        throw new StreamRefusedError(`this node has as many model streams open to node ${request.nodeId} as it may (${String(err.message)})`, request.nodeId)
      }
      throw new ModelTransportError(`could not open a stream to node ${request.nodeId}: ${String(err.message)}`, request.nodeId, { cause: err })
    }
  }

  private async exchange (idle: IdleStream, request: ClientRequest): Promise<MeshModelResponse> {
    const { stream, reader } = idle
    const nodeId = request.nodeId
    const idleTimeoutMs = this.init.idleTimeoutMs
    const idleTimer = new IdleTimer(idleTimeoutMs, () => new ModelTimeoutError(`node ${nodeId} sent nothing for ${idleTimeoutMs} ms`), request.signal)
    const signal = idleTimer.signal
    let ended = false
    let settled = false
    const settle = (outcome: Outcome, reason?: Error): void => {
      if (settled) return
      settled = true
      idleTimer.clear()
      signal.removeEventListener('abort', onAbort)
      if (outcome === 'complete' && ended && !this.directPathOpened(request.peerId, stream)) {
        this.pool.put(request.peerId.toString(), idle)
        return
      }
      reader.dispose()
      if (outcome === 'failed') {
        stream.abort(reason ?? new Error('model request failed'))
        return
      }
      if (outcome === 'cancel' && stream.writeStatus === 'writable') {
        stream.send(encodeFrame(CallerFrame.codec(), { cancel: { reason: reason?.message ?? 'the caller went away' } }))
      }
      closeStream(stream, STREAM_LINGER_MS).catch(() => {})
    }
    const onAbort = (): void => { settle('cancel', signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })

    sendRequest(stream, requestFrames(request.modelId, request.body), signal).catch(err => {
      this.init.log('sending the request to %s failed - %e', nodeId, err)
    })

    const frames: AsyncIterator<ServerFrame, undefined> = {
      next: async () => {
        const frame = await reader.read(signal)
        if (frame == null) return { done: true, value: undefined }
        idleTimer.touch()
        if (frame.end != null) ended = true
        return { done: false, value: frame }
      }
    }
    return await responseFromFrames({ frames, settle }, { nodeId, peerId: request.peerId.toString() }, request.signal)
  }
}
