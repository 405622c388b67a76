import { randomUUID } from 'node:crypto'
import { serviceCapabilities } from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import { raceSignal } from 'race-signal'
import { RequestFrame } from '../../protocols/handoff.js'
import {
  DEFAULT_CONCURRENCY, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONTEXT_BYTES, DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_MAX_TASK_BYTES, FINISH_TIMEOUT_MS, HANDOFF_PROTOCOL, MAX_CONTROL_FRAME_BYTES, MAX_ID_LENGTH, MAX_INBOUND_STREAMS,
  MAX_OUTBOUND_STREAMS, MAX_REMEMBERED_HANDOFF_IDS, MAX_RESULT_BYTES, PAUSED_READ_BUFFER_BYTES, REQUEST_OVERHEAD_BYTES,
  REQUEST_READ_TIMEOUT_MS, RUNNER_STOP_GRACE_MS, UNREAD_REQUESTS_PER_PEER
} from './constants.js'
import { HandoffError } from './errors.js'
import { callRun, callSend } from './handoff-client.js'
import { finish, refusedResult, serveRun, serveSend } from './serve.js'
import { PeerBytes } from '../limits/peer-bytes.js'
import { perPeerLimit } from '../limits/peer-slots.js'
import { BufferBudgetError, FrameReader, FrameTooLargeError } from '../utils/frame-reader.js'
import type { AgentMessage, HandoffComponents, HandoffService, HandoffServiceInit, HandoffTask, RemoteRunEvent, RunOptions, RunningHandoff, SendReceipt } from './index.js'
import type { RunRequest, SendRequest } from '../../protocols/handoff.js'
import type { AgentRunner } from '../host/ports.js'
import type { AbortOptions, Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { ProtobufStream } from '@libp2p/utils'

/**
 * `/clawmatrix/handoff/1.0.0`: runs tasks on this node's agents for other members, streaming
 * the output back, and delivers one-way messages; `run()` and `send()` are the calling side.
 */
export class DefaultHandoffService implements HandoffService {
  readonly [Symbol.toStringTag] = 'clawmatrix/handoff'
  readonly [serviceCapabilities]: string[] = ['clawmatrix/handoff']
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
    await raceSignal(Promise.allSettled([...this.serving]), AbortSignal.timeout(RUNNER_STOP_GRACE_MS + FINISH_TIMEOUT_MS)).catch(() => {})
    this.started = false
  }

  isStarted (): boolean {
    return this.started
  }

  running (): RunningHandoff[] {
    return [...this.runs.values()].map(run => ({ ...run }))
  }

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

  async send (peer: PeerId, message: AgentMessage, options: AbortOptions = {}): Promise<SendReceipt> {
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
      await finish(stream, frames, { ack: { accepted: false, nodeId: this.init.nodeId, agent: request.agent, deliveryId: '', error: refusal.message, code: refusal.code } })
      return
    }
    await serveSend({ request, stream, frames, runner: this.limits.runner as AgentRunner, nodeId: this.init.nodeId, log })
  }

  private async refuseRun (stream: Stream, frames: ProtobufStream<Stream>, agent: string, reason: HandoffError): Promise<void> {
    await finish(stream, frames, { result: refusedResult(this.init.nodeId, agent, reason) })
  }
}

/** The most recent `capacity` ids, oldest forgotten first */
class RecentIds {
  private readonly ids = new Set<string>()

  constructor (private readonly capacity: number) {}

  has (id: string): boolean {
    return this.ids.has(id)
  }

  add (id: string): void {
    this.ids.delete(id)
    this.ids.add(id)
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value
      if (oldest != null) this.ids.delete(oldest)
    }
  }
}

/** What a serving node checks before it runs or delivers anything */
interface AdmissionLimits {
  nodeId: string
  runner?: AgentRunner
  /** agent ids this node offers; undefined = whatever the runner can run */
  agents?: ReadonlySet<string>
  maxTaskBytes: number
  maxContextBytes: number
}

function checkId (field: string, value: string | undefined, required: boolean): HandoffError | undefined {
  if (value == null || value === '') return required ? new HandoffError('bad_request', `${field} is missing`) : undefined
  if (value.length > MAX_ID_LENGTH) return new HandoffError('bad_request', `${field} is longer than ${MAX_ID_LENGTH} characters`)
  return undefined
}

/** `what` over its byte limit (also the caller's own check before it asks any node) */
export function checkSize (what: string, text: string, limit: number, limitName: string, code: 'task_too_large' | 'context_too_large'): HandoffError | undefined {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes <= limit) return undefined
  return new HandoffError(code, `${what} of ${bytes} bytes is over the limit of ${limit} bytes (${limitName})`)
}

/** Whether this node can run `agent` at all: unknown_agent or no_runner otherwise */
function checkAgent (limits: AdmissionLimits, agent: string): HandoffError | undefined {
  if (limits.agents != null && !limits.agents.has(agent)) {
    const offered = limits.agents.size === 0 ? 'none' : [...limits.agents].join(', ')
    return new HandoffError('unknown_agent', `node "${limits.nodeId}" does not offer agent "${agent}" (it offers: ${offered})`)
  }
  if (limits.runner == null || !limits.runner.canRun(agent)) {
    return new HandoffError('no_runner', `agent "${agent}" on node "${limits.nodeId}" has nothing to run it (no command configured)`)
  }
  return undefined
}
