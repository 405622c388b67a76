import { join } from 'node:path'
import { serviceCapabilities } from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import { raceSignal } from 'race-signal'
import { ToolRequest } from '../../protocols/tool.js'
import { auditArgs, AuditLog, openAuditEntry } from './audit.js'
import {
  AUDIT_LOG_FILE, CLOSE_TIMEOUT_MS, DEFAULT_MAX_RESPONSE_BYTES, FILE_TOOLS, MAX_CONCURRENT_CALLS,
  MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, MAX_REQUEST_BYTES, MAX_RESPONSE_FRAME_BYTES, MAX_UNREAD_BYTES_PER_PEER,
  PAUSED_READ_BUFFER_BYTES, REQUEST_READ_TIMEOUT_MS, RESPONSE_GRACE_MS, SERVE_GRACE_MS, TOOL_PROTOCOL
} from './constants.js'
import { ToolError, ToolStreamError } from './errors.js'
import { confineToRoots } from './file-roots.js'
import { policyRefusal } from './policy.js'
import { checkToolName, grantedTimeoutMs, parseRequestArgs, requestFrame } from './request.js'
import { readToolResponse, ResponseWriter } from './response.js'
import { PeerBytes } from '../limits/peer-bytes.js'
import { PeerSlots } from '../limits/peer-slots.js'
import { BufferBudgetError, FrameReader } from '../utils/frame-reader.js'
import { closeStream } from '../utils/close-stream.js'
import type { AuditEntry } from './audit.js'
import type { ToolCallOptions, ToolCallRequest, ToolService, ToolServiceComponents, ToolServiceInit } from './index.js'
import type { PeerConfig, ToolProxyConfig } from '../config/schema.js'
import type { ToolCaller, ToolResult } from '../host/ports.js'
import type { Connection, Logger, PeerId, Startable, Stream, StreamCloseEvent } from '@libp2p/interface'

/**
 * After the last frame: close, give the caller CLOSE_TIMEOUT_MS to close its end, then reset.
 * A caller that is gone (reset, connection lost) gets the reset at once.
 */
async function endStream (stream: Stream, gone: AbortSignal): Promise<void> {
  if (gone.aborted) {
    stream.abort(gone.reason)
    return
  }
  await closeStream(stream, CLOSE_TIMEOUT_MS)
}

/** One request per stream: once it is read (or refused), nothing more is read or kept */
async function stopReading (stream: Stream): Promise<void> {
  if (stream.readStatus !== 'readable' && stream.readStatus !== 'paused') return
  await stream.closeRead().catch((err: Error) => { stream.abort(err) })
}

function asToolError (err: any): ToolError {
  return err instanceof ToolError ? err : new ToolError('failed', String(err?.message ?? err))
}

/** What the policy and the file roots read: the node, its pinned peers, its toolProxy */
interface ServingConfig {
  nodeId: string
  dataDir: string
  peers: PeerConfig[]
  toolProxy: ToolProxyConfig
}

/**
 * Remote tool calls, one per stream. The serving side checks the caller and the call against
 * toolProxy before anything runs, streams output under the output budget, and writes one audit
 * line per call, refused ones included. The calling side is `call()`.
 */
export class DefaultToolService implements ToolService, Startable {
  readonly protocol = TOOL_PROTOCOL
  readonly [Symbol.toStringTag] = 'clawmatrix/tool'
  readonly [serviceCapabilities]: string[] = ['clawmatrix/tool']
  readonly audit: AuditLog
  private readonly log: Logger
  private readonly config: ServingConfig
  private started = false
  /** every stream being served, to end them all on stop */
  private readonly serving = new Set<AbortController>()
  /** the handlers of those streams, awaited (bounded) on stop so their audit lines are written */
  private readonly handlers = new Set<Promise<void>>()
  private readonly slots = new PeerSlots(MAX_CONCURRENT_CALLS)
  /** request bytes read from each caller and not yet handled */
  private readonly unread = new PeerBytes(MAX_UNREAD_BYTES_PER_PEER)

  constructor (private readonly components: ToolServiceComponents, private readonly init: ToolServiceInit) {
    this.log = components.logger.forComponent('clawmatrix:tool')
    this.config = { nodeId: init.nodeId, dataDir: init.dataDir, peers: init.peers ?? [], toolProxy: init.toolProxy }
    this.audit = new AuditLog(join(init.dataDir, AUDIT_LOG_FILE), init.audit)
    this.handleToolStream = this.handleToolStream.bind(this)
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(TOOL_PROTOCOL, this.handleToolStream, {
      maxInboundStreams: MAX_INBOUND_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_STREAMS,
      runOnLimitedConnection: true
    })
    this.started = true
  }

  async stop (): Promise<void> {
    await this.components.registrar.unhandle(TOOL_PROTOCOL)
    for (const call of this.serving) call.abort(new ToolError('failed', `${this.config.nodeId} is stopping`))
    await raceSignal(Promise.allSettled([...this.handlers]), AbortSignal.timeout(CLOSE_TIMEOUT_MS)).catch(() => {})
    await this.audit.flush()
    this.started = false
  }

  isStarted (): boolean {
    return this.started
  }

  /** tool calls running on this node now */
  runningCalls (): number {
    return this.slots.size
  }

  async handleToolStream (stream: Stream, connection: Connection): Promise<void> {
    const handler = this.serveStream(stream, connection)
    this.handlers.add(handler)
    try {
      await handler
    } finally {
      this.handlers.delete(handler)
    }
  }

  private async serveStream (stream: Stream, connection: Connection): Promise<void> {
    const log = stream.log.newScope('tool')
    const peer = connection.remotePeer.toString()
    const caller: ToolCaller = { peerId: peer }
    const callerNodeId = this.init.nodeIdOf?.(connection.remotePeer)
    if (callerNodeId != null) caller.nodeId = callerNodeId
    const entry = openAuditEntry(caller)
    const started = Date.now()
    // the caller going away (reset, connection lost) or this node stopping ends the call
    const gone = new AbortController()
    const onClose = (evt: StreamCloseEvent): void => { gone.abort(evt.error ?? new Error('stream closed')) }
    stream.addEventListener('close', onClose)
    this.serving.add(gone)
    let writer: ResponseWriter | undefined
    const writerFor = (): ResponseWriter => {
      writer ??= new ResponseWriter(pbStream(stream), this.config.toolProxy.maxOutputBytes, gone.signal)
      return writer
    }

    try {
      const request = await this.readRequest(stream, peer, gone.signal)
      const result = await this.serve(request, caller, writerFor(), gone.signal, entry)
      await writerFor().result(result)
      entry.outcome = result.ok ? 'ok' : 'not_ok'
    } catch (err: any) {
      if (gone.signal.aborted) {
        entry.outcome = 'caller_gone'
        entry.message = String(gone.signal.reason?.message ?? gone.signal.reason)
      } else {
        const failure = asToolError(err)
        entry.outcome = failure.code
        entry.message = failure.message
        log('%s for %p: %s - %s', entry.tool, connection.remotePeer, failure.code, failure.message)
        await writerFor().error(failure).catch(() => {})
      }
    } finally {
      stream.removeEventListener('close', onClose)
      await endStream(stream, gone.signal)
      this.serving.delete(gone)
      entry.durationMs = Date.now() - started
      entry.bytesOut = writer?.bytesOut ?? 0
      entry.truncated = writer?.truncated ?? false
      await this.audit.append(entry).catch(err => { this.log.error('cannot write the audit log %s - %e', this.audit.file, err) })
    }
  }

  /**
   * The one request of a stream, within REQUEST_READ_TIMEOUT_MS. Its bytes count against the
   * caller's unread-bytes budget while they arrive; afterwards the read side is closed, so
   * whatever else the caller sends is dropped rather than kept.
   */
  private async readRequest (stream: Stream, peer: string, gone: AbortSignal): Promise<ToolRequest> {
    const reader = new FrameReader(stream, ToolRequest.codec(), {
      maxFrameBytes: MAX_REQUEST_BYTES,
      highWaterBytes: MAX_REQUEST_BYTES + 16,
      pausedBufferBytes: PAUSED_READ_BUFFER_BYTES,
      budget: this.unread.for(peer)
    })
    const readDeadline = AbortSignal.timeout(REQUEST_READ_TIMEOUT_MS)
    try {
      const request = await reader.read(AbortSignal.any([gone, readDeadline]))
      if (request == null) throw new ToolError('bad_arguments', 'unreadable request: the stream ended before a request arrived')
      return request
    } catch (err: any) {
      if (err instanceof ToolError || gone.aborted) throw err
      if (readDeadline.aborted) throw new ToolError('bad_arguments', `no request arrived within ${REQUEST_READ_TIMEOUT_MS} ms`)
      if (err instanceof BufferBudgetError) {
        throw new ToolError('busy', `${this.config.nodeId} holds ${MAX_UNREAD_BYTES_PER_PEER} bytes of unread requests from this caller, its limit; try again later`)
      }
      throw new ToolError('bad_arguments', `unreadable request: ${String(err.message)}`)
    } finally {
      reader.dispose()
      await stopReading(stream)
    }
  }

  /** Apply the policy to the request and run the tool; throws ToolError for every refusal */
  private async serve (request: ToolRequest, caller: ToolCaller, writer: ResponseWriter, gone: AbortSignal, entry: AuditEntry): Promise<ToolResult> {
    const { config } = this
    const { executor } = this.init
    const tool = entry.tool = request.tool
    checkToolName(tool)
    const args = parseRequestArgs(request.args)
    entry.args = auditArgs(tool, args)

    const refusal = policyRefusal(config, caller, tool, executor.tools())
    if (refusal != null) throw refusal
    if (FILE_TOOLS.includes(tool)) args.path = await confineToRoots(config, tool, args.path)
    const slot = this.slots.take(caller.peerId)
    if (slot === 'full') {
      throw new ToolError('busy', `${config.nodeId} is running ${this.slots.size} tool calls, its limit; try again later`)
    }
    if (slot === 'peer_share') {
      throw new ToolError('busy', `${config.nodeId} is running ${this.slots.heldBy(caller.peerId)} tool calls of this caller, the most one member may hold; try again later`)
    }
    entry.decision = 'allowed'

    const timeoutMs = grantedTimeoutMs(request.timeoutMs, tool, args, config.toolProxy.maxExecTimeout)
    const deadline = AbortSignal.timeout(timeoutMs + SERVE_GRACE_MS)
    const signal = AbortSignal.any([gone, deadline])
    try {
      const run = executor.invoke({ tool, args, caller, timeoutMs, signal, onOutput: writer.output })
      return await raceSignal(run, signal)
    } catch (err) {
      if (deadline.aborted && !gone.aborted) {
        throw new ToolError('timeout', `${tool} did not finish within ${timeoutMs / 1000} s on ${config.nodeId}`)
      }
      throw err
    } finally {
      slot.release()
    }
  }

  /**
   * A stream limit is load, not a failure of the node: this node's own outbound limit, or a new
   * stream the node reset before any frame while the connection to it stays open. Answered
   * `busy` (nothing ran), so that the caller does not set a reachable node aside.
   */
  private refusedForLoad (err: any, peer: PeerId, stream: Stream | undefined, answered: boolean): ToolError | undefined {
    if (err?.name === 'TooManyOutboundProtocolStreamsError') {
      return new ToolError('busy', `this node has as many tool streams open to ${peer.toString()} as it may; try again later`)
    }
    if (stream?.status !== 'reset' || answered) return undefined
    if (!this.components.connectionManager.getConnections(peer).some(c => c.status === 'open')) return undefined
    return new ToolError('busy', `${peer.toString()} refused the stream before answering (a stream limit); try again later`)
  }

  /**
   * Call `request.tool` on `peer` and wait for its result. Throws ToolError with the serving
   * node's code, ToolStreamError when the exchange itself failed, or the signal's reason.
   */
  async call (peer: PeerId, request: ToolCallRequest, options: ToolCallOptions = {}): Promise<ToolResult> {
    const frame = requestFrame(request)
    const { timeoutMs } = frame
    const deadline = AbortSignal.timeout(timeoutMs + RESPONSE_GRACE_MS)
    const signal = options.signal != null ? AbortSignal.any([options.signal, deadline]) : deadline

    let stream: Stream | undefined
    let answered = false
    try {
      stream = await this.components.connectionManager.openStream(peer, TOOL_PROTOCOL, {
        signal,
        runOnLimitedConnection: true,
        negotiateFully: false
      })
      const pb = pbStream(stream, { maxDataLength: MAX_RESPONSE_FRAME_BYTES })
      await pb.write(frame, ToolRequest, { signal })
      await stream.close({ signal })
      return await readToolResponse(pb, peer.toString(), {
        signal,
        maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        onFrame: () => { answered = true },
        ...(options.onOutput != null ? { onOutput: options.onOutput } : {})
      })
    } catch (err: any) {
      // an error frame is a complete answer; anything else leaves the stream to be reset
      if (!(err instanceof ToolError) || err instanceof ToolStreamError) stream?.abort(err)
      if (options.signal?.aborted === true) throw options.signal.reason
      if (err instanceof ToolError) throw err
      const refusal = this.refusedForLoad(err, peer, stream, answered)
      if (refusal != null) throw refusal
      if (deadline.aborted) throw new ToolStreamError('timeout', `no answer from ${peer.toString()} within ${timeoutMs + RESPONSE_GRACE_MS} ms`)
      if (err?.name === 'UnsupportedProtocolError') throw new ToolStreamError('failed', `${peer.toString()} does not serve ${TOOL_PROTOCOL}`)
      throw new ToolStreamError('failed', `tool call to ${peer.toString()} failed: ${String(err?.message ?? err)}`)
    }
  }
}
