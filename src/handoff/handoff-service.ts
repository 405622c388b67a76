import { randomUUID } from 'node:crypto'
import { pbStream } from '@libp2p/utils'
import { RequestFrame, ResponseFrame } from '../../protocols/handoff.js'
import { checkAgent, checkId, checkSize } from './admission.js'
import { callRun } from './call-run.js'
import {
  DEFAULT_CONCURRENCY, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONTEXT_BYTES, DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_MAX_TASK_BYTES, FINISH_TIMEOUT_MS, HANDOFF_PROTOCOL, MAX_CONTROL_FRAME_BYTES, MAX_INBOUND_STREAMS,
  MAX_OUTBOUND_STREAMS, MAX_REMEMBERED_HANDOFF_IDS, MAX_RESULT_BYTES, PAUSED_READ_BUFFER_BYTES, REQUEST_OVERHEAD_BYTES,
  REQUEST_READ_TIMEOUT_MS, RUNNER_STOP_GRACE_MS, UNREAD_REQUESTS_PER_PEER
} from './constants.js'
import { HandoffError } from './errors.js'
import { RecentIds } from './recent-ids.js'
import { callSend, serveSend, writeAck } from './send.js'
import { serveRun } from './serve-run.js'
import { closeStream } from './stream-end.js'
import { PeerBytes } from '../limits/peer-bytes.js'
import { perPeerLimit } from '../limits/peer-slots.js'
import { BufferBudgetError, FrameReader, FrameTooLargeError } from '../model/frame-reader.js'
import type { AdmissionLimits } from './admission.js'
import type { AgentMessage, HandoffTask, RemoteRunEvent, RunOptions, RunningHandoff, SendReceipt } from './types.js'
import type { RunRequest, SendRequest } from '../../protocols/handoff.js'
import type { AgentRunner } from '../host/ports.js'
import type { ComponentLogger, Connection, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { ProtobufStream } from '@libp2p/utils'

export interface HandoffServiceInit {
  /** this node's id, put into every result and acknowledgement */
  nodeId: string
  /** runs the agents; without one every request is answered `no_runner` */
  runner?: AgentRunner
  /** agent ids this node offers; others are answered `unknown_agent` (default: whatever the runner can run) */
  agents?: string[]
  /** ms: the longest agent silence a run may last (a caller may ask for less) */
  handoffTimeout?: number
  /** runs at the same time; more are refused with `busy` */
  handoffConcurrency?: number
  maxTaskBytes?: number
  maxContextBytes?: number
  /** the longest result sent back; longer ones keep their tail */
  maxHandoffOutputBytes?: number
  maxInboundStreams?: number
  maxOutboundStreams?: number
}

export interface HandoffComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

/**
 * `/clawmatrix/handoff/1.0.0`: runs tasks on this node's agents for other members, streaming
 * the output back, and delivers one-way messages; `run()` and `send()` are the calling side.
 */
export class HandoffService implements Startable {
  readonly [Symbol.toStringTag] = 'clawmatrix/handoff'
  readonly protocol = HANDOFF_PROTOCOL
  private readonly log: Logger
  private readonly limits: AdmissionLimits
  private readonly idleTimeoutMs: number
  private readonly concurrency: number
  private readonly maxResultBytes: number
  private readonly maxRequestBytes: number
  private readonly runs = new Map<string, RunningHandoff>()
  private readonly recentIds = new RecentIds(MAX_REMEMBERED_HANDOFF_IDS)
  private readonly serving = new Set<Promise<void>>()
  /** first-frame bytes read from each caller and not yet handled */
  private readonly unread: PeerBytes
  private stopping = new AbortController()
  private started = false

  constructor (private readonly components: HandoffComponents, private readonly init: HandoffServiceInit) {
    this.log = components.logger.forComponent('clawmatrix:handoff')
    this.limits = {
      nodeId: init.nodeId,
      runner: init.runner,
      agents: init.agents == null ? undefined : new Set(init.agents),
      maxTaskBytes: init.maxTaskBytes ?? DEFAULT_MAX_TASK_BYTES,
      maxContextBytes: init.maxContextBytes ?? DEFAULT_MAX_CONTEXT_BYTES
    }
    this.idleTimeoutMs = init.handoffTimeout ?? DEFAULT_IDLE_TIMEOUT_MS
    this.concurrency = init.handoffConcurrency ?? DEFAULT_CONCURRENCY
    this.maxResultBytes = Math.min(init.maxHandoffOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, MAX_RESULT_BYTES)
    this.maxRequestBytes = this.limits.maxTaskBytes + this.limits.maxContextBytes + REQUEST_OVERHEAD_BYTES
    this.unread = new PeerBytes(UNREAD_REQUESTS_PER_PEER * this.maxRequestBytes)
    this.handleStream = this.handleStream.bind(this)
  }

  async start (): Promise<void> {
    this.stopping = new AbortController()
    await this.components.registrar.handle(this.protocol, this.handleStream, {
      maxInboundStreams: this.init.maxInboundStreams ?? MAX_INBOUND_STREAMS,
      maxOutboundStreams: this.init.maxOutboundStreams ?? MAX_OUTBOUND_STREAMS,
      runOnLimitedConnection: true
    })
    this.started = true
  }

  /** Refuses new work, stops every run (their runners end them) and waits, bounded, for them */
  async stop (): Promise<void> {
    await this.components.registrar.unhandle(this.protocol)
    this.stopping.abort()
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      Promise.allSettled([...this.serving]),
      new Promise<void>(resolve => { timer = setTimeout(resolve, RUNNER_STOP_GRACE_MS + FINISH_TIMEOUT_MS) })
    ])
    clearTimeout(timer)
    this.started = false
  }

  isStarted (): boolean {
    return this.started
  }

  /** The handoffs this node is running for callers */
  running (): RunningHandoff[] {
    return [...this.runs.values()].map(run => ({ ...run }))
  }

  /**
   * Run `task` on `peer`: yields the agent's deltas as they arrive, then its result. The idle
   * timeout (default this node's handoffTimeout) restarts with every frame.
   */
  run (peer: PeerId, task: HandoffTask, options: RunOptions = {}): AsyncGenerator<RemoteRunEvent> {
    return callRun({
      connectionManager: this.components.connectionManager,
      protocol: this.protocol,
      peer,
      request: {
        handoffId: task.handoffId ?? randomUUID(),
        agent: task.agent,
        task: task.task,
        ...(task.context != null ? { context: task.context } : {}),
        ...(task.sessionId != null ? { sessionId: task.sessionId } : {})
      },
      idleTimeoutMs: options.idleTimeoutMs ?? this.idleTimeoutMs,
      signal: options.signal,
      log: this.log
    })
  }

  /** Deliver `message` to an agent on `peer` without waiting for its output */
  async send (peer: PeerId, message: AgentMessage, options: { signal?: AbortSignal } = {}): Promise<SendReceipt> {
    return await callSend({ connectionManager: this.components.connectionManager, protocol: this.protocol, peer, message, signal: options.signal })
  }

  private handleStream (stream: Stream, connection: Connection): void {
    const serving = this.serve(stream, connection)
      .catch((err: any) => {
        this.log.error('handoff stream from %p failed - %e', connection.remotePeer, err)
        stream.abort(err)
      })
      .finally(() => { this.serving.delete(serving) })
    this.serving.add(serving)
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const log = stream.log.newScope('handoff')
    const caller = connection.remotePeer.toString()
    const opening = new FrameReader(stream, RequestFrame.codec(), {
      maxFrameBytes: this.maxRequestBytes,
      highWaterBytes: this.maxRequestBytes + 16,
      pausedBufferBytes: PAUSED_READ_BUFFER_BYTES,
      budget: this.unread.for(caller)
    })
    let frame: RequestFrame | null
    try {
      frame = await opening.read(AbortSignal.any([AbortSignal.timeout(REQUEST_READ_TIMEOUT_MS), this.stopping.signal]))
    } catch (err: any) {
      opening.dispose()
      const refusal = err instanceof FrameTooLargeError
        ? new HandoffError('request_too_large', `the request is over node "${this.init.nodeId}"'s limit of ${this.maxRequestBytes} bytes (maxTaskBytes + maxContextBytes + ${REQUEST_OVERHEAD_BYTES})`)
        : err instanceof BufferBudgetError
          ? new HandoffError('busy', `node "${this.init.nodeId}" holds ${UNREAD_REQUESTS_PER_PEER * this.maxRequestBytes} bytes of unread requests from this caller, its limit`)
          : undefined
      if (refusal == null) {
        log('no request read - %e', err)
        stream.abort(err)
        return
      }
      // drop the rest unread, then say why
      await stream.closeRead()
      await this.refuseRun(stream, pbStream(stream), '', refusal)
      return
    }
    if (frame == null) {
      opening.dispose()
      stream.abort(new Error('the stream ended before a request'))
      return
    }
    // after the request only a small cancel may come
    opening.release()
    const frames = pbStream(stream, { maxDataLength: MAX_CONTROL_FRAME_BYTES, maxBufferSize: 4 * MAX_CONTROL_FRAME_BYTES })
    if (frame.run != null) {
      await this.serveRun(frame.run, stream, frames, caller, log)
    } else if (frame.send != null) {
      await this.serveSend(frame.send, stream, frames, log)
    } else {
      await this.refuseRun(stream, frames, '', new HandoffError('bad_request', 'the first frame must be a run or a send request'))
    }
  }

  private async serveRun (request: RunRequest, stream: Stream, frames: ProtobufStream<Stream>, caller: string, log: Logger): Promise<void> {
    const refusal = this.admitRun(request, caller)
    if (refusal != null) {
      log('refused handoff %s from %s - %s', request.handoffId, caller, refusal.message)
      await this.refuseRun(stream, frames, request.agent, refusal)
      return
    }
    this.recentIds.add(request.handoffId)
    const entry: RunningHandoff = { id: request.handoffId, caller, agent: request.agent, since: Date.now(), bytes: 0 }
    this.runs.set(entry.id, entry)
    const asked = request.idleTimeoutMs
    log('running handoff %s for %s on agent %s', entry.id, caller, entry.agent)
    try {
      await serveRun({
        request,
        stream,
        frames,
        runner: this.limits.runner as AgentRunner,
        nodeId: this.init.nodeId,
        idleTimeoutMs: asked > 0 ? Math.min(asked, this.idleTimeoutMs) : this.idleTimeoutMs,
        maxResultBytes: this.maxResultBytes,
        nodeStopping: this.stopping.signal,
        onOutput: bytes => { entry.bytes += bytes },
        log
      })
    } finally {
      this.runs.delete(entry.id)
      log('handoff %s ended after %d ms, %d bytes', entry.id, Date.now() - entry.since, entry.bytes)
    }
  }

  private admitRun (request: RunRequest, caller: string): HandoffError | undefined {
    const malformed = checkId('handoffId', request.handoffId, true) ??
      checkId('agent', request.agent, true) ??
      checkId('sessionId', request.sessionId, false) ??
      (request.task === '' ? new HandoffError('bad_request', 'task is empty') : undefined)
    if (malformed != null) return malformed
    const tooLarge = checkSize('task', request.task, this.limits.maxTaskBytes, 'maxTaskBytes', 'task_too_large') ??
      checkSize('context', request.context ?? '', this.limits.maxContextBytes, 'maxContextBytes', 'context_too_large')
    if (tooLarge != null) return tooLarge
    if (this.stopping.signal.aborted) return new HandoffError('stopping', `node "${this.init.nodeId}" is shutting down`)
    const unrunnable = checkAgent(this.limits, request.agent)
    if (unrunnable != null) return unrunnable
    if (this.runs.has(request.handoffId) || this.recentIds.has(request.handoffId)) {
      return new HandoffError('duplicate', `handoff ${request.handoffId} has already run on node "${this.init.nodeId}"`)
    }
    if (this.runs.size >= this.concurrency) {
      return new HandoffError('busy', `node "${this.init.nodeId}" is already running ${this.runs.size} handoffs, its limit (handoffConcurrency)`)
    }
    const mine = [...this.runs.values()].filter(run => run.caller === caller).length
    if (mine >= perPeerLimit(this.concurrency)) {
      return new HandoffError('busy', `node "${this.init.nodeId}" is already running ${mine} handoffs of this caller, the most one member may hold of handoffConcurrency ${this.concurrency}`)
    }
    return undefined
  }

  private async serveSend (request: SendRequest, stream: Stream, frames: ProtobufStream<Stream>, log: Logger): Promise<void> {
    const refusal = checkId('agent', request.agent, true) ??
      checkId('sessionId', request.sessionId, false) ??
      (request.message === '' ? new HandoffError('bad_request', 'message is empty') : undefined) ??
      checkSize('message', request.message, this.limits.maxTaskBytes, 'maxTaskBytes', 'task_too_large') ??
      (this.stopping.signal.aborted ? new HandoffError('stopping', `node "${this.init.nodeId}" is shutting down`) : undefined) ??
      checkAgent(this.limits, request.agent)
    if (refusal != null) {
      log('refused a message for agent %s - %s', request.agent, refusal.message)
      await writeAck(stream, frames, { accepted: false, nodeId: this.init.nodeId, agent: request.agent, deliveryId: '', error: refusal.message, code: refusal.code })
      return
    }
    await serveSend({ request, stream, frames, runner: this.limits.runner as AgentRunner, nodeId: this.init.nodeId, log })
  }

  private async refuseRun (stream: Stream, frames: ProtobufStream<Stream>, agent: string, refusal: HandoffError): Promise<void> {
    const result = { success: false, nodeId: this.init.nodeId, agent, result: '', error: refusal.message, code: refusal.code, truncated: false }
    try {
      await frames.write({ result }, ResponseFrame, { signal: AbortSignal.timeout(FINISH_TIMEOUT_MS) })
    } catch (err: any) {
      stream.abort(err)
      return
    }
    await closeStream(stream, FINISH_TIMEOUT_MS)
  }
}
