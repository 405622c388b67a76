import { join } from 'node:path'
import { pbStream } from '@libp2p/utils'
import { ToolRequest } from '../../protocols/tool.js'
import { ToolError } from '../host/tool-error.js'
import { auditArgs, openAuditEntry } from './audit-entry.js'
import { AuditLog } from './audit-log.js'
import {
  AUDIT_LOG_FILE, CLOSE_TIMEOUT_MS, DEFAULT_MAX_RESPONSE_BYTES, FILE_TOOLS, MAX_CONCURRENT_CALLS,
  MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, MAX_REQUEST_BYTES, MAX_RESPONSE_FRAME_BYTES,
  REQUEST_READ_TIMEOUT_MS, RESPONSE_GRACE_MS, SERVE_GRACE_MS, TOOL_PROTOCOL
} from './constants.js'
import { ToolStreamError } from './errors.js'
import { confineToRoots } from './file-roots.js'
import { policyRefusal } from './policy.js'
import { checkToolName, parseRequestArgs } from './request-args.js'
import { readToolResponse } from './response-reader.js'
import { ResponseWriter } from './response-writer.js'
import { defaultTimeoutMs, grantedTimeoutMs } from './timeouts.js'
import type { AuditEntry } from './audit-entry.js'
import type { ToolCallOptions, ToolCallRequest, ToolServiceComponents, ToolServiceInit } from './index.js'
import type { ToolCaller, ToolResult } from '../host/ports.js'
import type { Connection, Logger, PeerId, Startable, Stream, StreamCloseEvent } from '@libp2p/interface'

const MAX_UINT32 = 0xffff_ffff

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts */
async function untilAborted<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => {})
  signal.throwIfAborted()
  const aborted = Promise.withResolvers<never>()
  const onAbort = (): void => { aborted.reject(signal.reason) }
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await Promise.race([promise, aborted.promise])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

/** Close after the last frame; reset instead when the caller is gone or the close does not finish */
async function closeOrAbort (stream: Stream, gone: AbortSignal): Promise<void> {
  if (gone.aborted) {
    stream.abort(gone.reason)
    return
  }
  try {
    await stream.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) })
  } catch (err: any) {
    stream.abort(err)
  }
}

function asToolError (err: any): ToolError {
  return err instanceof ToolError ? err : new ToolError('failed', String(err?.message ?? err))
}

/**
 * Remote tool calls, one per stream. The serving side checks the caller and the call against
 * toolProxy before anything runs, streams output under the output budget, and writes one audit
 * line per call, refused ones included. The calling side is `call()`.
 */
export class ToolService implements Startable {
  readonly protocol = TOOL_PROTOCOL
  readonly [Symbol.toStringTag] = 'clawmatrix/tool'
  readonly audit: AuditLog
  private readonly log: Logger
  /** every stream being served, to end them all on stop */
  private readonly serving = new Set<AbortController>()
  /** the handlers of those streams, awaited (bounded) on stop so their audit lines are written */
  private readonly handlers = new Set<Promise<void>>()
  private running = 0

  constructor (private readonly components: ToolServiceComponents, private readonly init: ToolServiceInit) {
    this.log = components.logger.forComponent('clawmatrix:tool')
    this.audit = new AuditLog(join(init.config.dataDir, AUDIT_LOG_FILE), init.audit)
    this.handleToolStream = this.handleToolStream.bind(this)
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(TOOL_PROTOCOL, this.handleToolStream, {
      maxInboundStreams: MAX_INBOUND_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_STREAMS,
      runOnLimitedConnection: true
    })
  }

  async stop (): Promise<void> {
    await this.components.registrar.unhandle(TOOL_PROTOCOL)
    for (const call of this.serving) call.abort(new ToolError('failed', `${this.init.config.nodeId} is stopping`))
    await untilAborted(Promise.allSettled([...this.handlers]), AbortSignal.timeout(CLOSE_TIMEOUT_MS)).catch(() => {})
    await this.audit.flush()
  }

  /** tool calls running on this node now */
  runningCalls (): number {
    return this.running
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
    const caller: ToolCaller = { peerId: connection.remotePeer.toString() }
    const callerNodeId = this.init.nodeIdOf?.(connection.remotePeer)
    if (callerNodeId != null) caller.nodeId = callerNodeId
    const entry = openAuditEntry(caller)
    const started = Date.now()
    // the caller going away (reset, connection lost) or this node stopping ends the call
    const gone = new AbortController()
    const onClose = (evt: StreamCloseEvent): void => { gone.abort(evt.error ?? new Error('stream closed')) }
    stream.addEventListener('close', onClose)
    this.serving.add(gone)
    const pb = pbStream(stream, { maxDataLength: MAX_REQUEST_BYTES, maxBufferSize: MAX_REQUEST_BYTES + 16 })
    const writer = new ResponseWriter(pb, this.init.config.toolProxy.maxOutputBytes, gone.signal)

    try {
      const result = await this.serve(pb, caller, writer, gone.signal, entry)
      await writer.result(result)
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
        await writer.error(failure).catch(() => {})
      }
    } finally {
      stream.removeEventListener('close', onClose)
      await closeOrAbort(stream, gone.signal)
      this.serving.delete(gone)
      entry.durationMs = Date.now() - started
      entry.bytesOut = writer.bytesOut
      entry.truncated = writer.truncated
      await this.audit.append(entry).catch(err => { this.log.error('cannot write the audit log %s - %e', this.audit.file, err) })
    }
  }

  /** Read the request, apply the policy, run the tool; throws ToolError for every refusal */
  private async serve (pb: ReturnType<typeof pbStream>, caller: ToolCaller, writer: ResponseWriter, gone: AbortSignal, entry: AuditEntry): Promise<ToolResult> {
    const { config, executor } = this.init
    let request: ToolRequest
    const readDeadline = AbortSignal.timeout(REQUEST_READ_TIMEOUT_MS)
    try {
      request = await pb.read(ToolRequest, { signal: AbortSignal.any([gone, readDeadline]) })
    } catch (err: any) {
      if (gone.aborted) throw err
      if (readDeadline.aborted) throw new ToolError('bad_arguments', `no request arrived within ${REQUEST_READ_TIMEOUT_MS} ms`)
      throw new ToolError('bad_arguments', `unreadable request: ${String(err.message)}`)
    }
    const tool = entry.tool = request.tool
    checkToolName(tool)
    const args = parseRequestArgs(request.args)
    entry.args = auditArgs(tool, args)

    const refusal = policyRefusal(config, caller, tool, executor.tools())
    if (refusal != null) throw refusal
    if (FILE_TOOLS.includes(tool)) args.path = await confineToRoots(config, tool, args.path)
    if (this.running >= MAX_CONCURRENT_CALLS) {
      throw new ToolError('failed', `${config.nodeId} is running ${this.running} tool calls, its limit; try again later`)
    }
    entry.decision = 'allowed'

    const timeoutMs = grantedTimeoutMs(request.timeoutMs, tool, args, config.toolProxy.maxExecTimeout)
    const deadline = AbortSignal.timeout(timeoutMs + SERVE_GRACE_MS)
    const signal = AbortSignal.any([gone, deadline])
    this.running++
    try {
      const run = executor.invoke({ tool, args, caller, timeoutMs, signal, onOutput: writer.output })
      return await untilAborted(run, signal)
    } catch (err) {
      if (deadline.aborted && !gone.aborted) {
        throw new ToolError('timeout', `${tool} did not finish within ${timeoutMs / 1000} s on ${config.nodeId}`)
      }
      throw err
    } finally {
      this.running--
    }
  }

  /**
   * Call `request.tool` on `peer` and wait for its result. Throws ToolError with the serving
   * node's code, ToolStreamError when the exchange itself failed, or the signal's reason.
   */
  async call (peer: PeerId, request: ToolCallRequest, options: ToolCallOptions = {}): Promise<ToolResult> {
    if (request.timeoutMs != null && !(request.timeoutMs > 0)) throw new ToolError('bad_arguments', 'timeoutMs must be a positive number of ms')
    const timeoutMs = Math.min(Math.ceil(request.timeoutMs ?? defaultTimeoutMs(request.tool, request.args)), MAX_UINT32)
    const deadline = AbortSignal.timeout(timeoutMs + RESPONSE_GRACE_MS)
    const signal = options.signal != null ? AbortSignal.any([options.signal, deadline]) : deadline
    const frame: ToolRequest = { tool: request.tool, args: JSON.stringify(request.args), timeoutMs }
    const size = ToolRequest.encode(frame).byteLength
    if (size > MAX_REQUEST_BYTES) {
      throw new ToolError('bad_arguments', `the request is ${size} bytes, over the limit of ${MAX_REQUEST_BYTES} bytes`)
    }

    let stream: Stream | undefined
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
        ...(options.onOutput != null ? { onOutput: options.onOutput } : {})
      })
    } catch (err: any) {
      // an error frame is a complete answer; anything else leaves the stream to be reset
      if (!(err instanceof ToolError) || err instanceof ToolStreamError) stream?.abort(err)
      if (options.signal?.aborted === true) throw options.signal.reason
      if (err instanceof ToolError) throw err
      if (deadline.aborted) throw new ToolStreamError('timeout', `no answer from ${peer.toString()} within ${timeoutMs + RESPONSE_GRACE_MS} ms`)
      if (err?.name === 'UnsupportedProtocolError') throw new ToolStreamError('failed', `${peer.toString()} does not serve ${TOOL_PROTOCOL}`)
      throw new ToolStreamError('failed', `tool call to ${peer.toString()} failed: ${String(err?.message ?? err)}`)
    }
  }
}
