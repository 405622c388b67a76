import { pbStream } from '@libp2p/utils'
import { RequestFrame, ResponseFrame } from '../../protocols/handoff.js'
import { REQUEST_DIAL_TIMEOUT_MS } from '../mesh/context.js'
import { closeStream, pauseReading, resumeReading, streamClosed } from '../utils/close-stream.js'
import { IdleTimer } from '../utils/idle-timer.js'
import { CLOSE_WAIT_MS, MAX_RESPONSE_FRAME_BYTES, SEND_TIMEOUT_MS } from './constants.js'
import { HandoffDialError, HandoffError, HandoffProtocolError, HandoffTimeoutError, HandoffTransportError } from './errors.js'
import type { RunResult, SendAck } from '../../protocols/handoff.js'
import type { HandoffErrorCode } from './errors.js'
import type { AgentMessage, RemoteRunEvent, RemoteRunResult, SendReceipt } from './index.js'
import type { AbortOptions, Logger, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { ProtobufStream } from '@libp2p/utils'

/*
 * The calling side of one request to one peer, over one stream: a run, or a send.
 */

interface CallRunInit {
  connectionManager: ConnectionManager
  protocol: string
  peer: PeerId
  request: RunRequestInput
  idleTimeoutMs: number
  signal?: AbortSignal
  log: Logger
}

interface RunRequestInput {
  handoffId: string
  agent: string
  task: string
  context?: string
  sessionId?: string
}

/** errors thrown by callRun after the serving node closed the stream, so its run is known to be over */
const endedRuns = new WeakSet<object>()

/**
 * Whether the run a callRun failed with `err` is known to be over on the serving node: it closed
 * the stream after being cancelled (which it does only once the work has ended). False when the
 * stream was reset or the connection lost: the node may be dead, or alive and still running it.
 */
export function runEndConfirmed (err: unknown): boolean {
  return typeof err === 'object' && err != null && endedRuns.has(err)
}

/**
 * One run on one peer: yields the deltas as they arrive and then the result. Throws
 * HandoffTimeoutError when nothing arrives for `idleTimeoutMs`, HandoffTransportError when the
 * stream fails. Whenever it ends without a result (timeout, abort, the consumer leaving) it
 * cancels the remote run and waits, bounded, for the stream to close: by then the serving node
 * has ended the work, and nothing of this run reaches the consumer any more. runEndConfirmed()
 * tells whether that close came.
 */
export async function * callRun (init: CallRunInit): AsyncGenerator<RemoteRunEvent> {
  const { peer, request, signal, log } = init
  signal?.throwIfAborted()
  // aborts on the agent's silence or the caller's signal
  const idle = new IdleTimer(init.idleTimeoutMs, () => new HandoffTimeoutError(`agent "${request.agent}" on ${peer.toString()} sent nothing for ${init.idleTimeoutMs} ms`), signal)
  const active = idle.signal

  let stream: Stream
  try {
    stream = await init.connectionManager.openStream(peer, init.protocol, {
      signal: AbortSignal.any([active, AbortSignal.timeout(REQUEST_DIAL_TIMEOUT_MS)]),
      runOnLimitedConnection: true,
      negotiateFully: false
    })
  } catch (err: any) {
    idle.clear()
    if (active.aborted) throw active.reason
    if (err?.name === 'TooManyOutboundProtocolStreamsError') {
      // this node's own stream limit: the peer is fine, and no run began there
      const busy = new HandoffError('busy', `this node has as many handoff streams open to ${peer.toString()} as it may (${String(err.message)})`)
      endedRuns.add(busy)
      throw busy
    }
    throw new HandoffDialError(`could not open a handoff stream to ${peer.toString()}: ${String(err?.message ?? err)}`)
  }

  const frames = pbStream(stream, { maxDataLength: MAX_RESPONSE_FRAME_BYTES, maxBufferSize: 2 * MAX_RESPONSE_FRAME_BYTES })
  let settled = false
  try {
    await frames.write({ run: { ...request, idleTimeoutMs: init.idleTimeoutMs } }, RequestFrame, { signal: active })
    while (true) {
      const frame = await frames.read(ResponseFrame, { signal: active })
      if (frame.delta != null) {
        // the consumer's pace is not the agent's silence, and while it is busy the serving
        // node is held back by flow control instead of filling our buffer
        idle.pause()
        pauseReading(stream)
        yield { type: 'delta', text: frame.delta.text }
        resumeReading(stream)
        idle.touch()
      } else if (frame.result != null) {
        settled = true
        idle.clear()
        await closeBothSides(stream)
        yield { type: 'result', result: remoteResult(frame.result) }
        return
      } else {
        throw new HandoffProtocolError(`${peer.toString()} sent a frame that is neither a delta nor a result`)
      }
    }
  } catch (err: any) {
    if (active.aborted) {
      settled = true
      const reason = active.reason
      const ended = await cancelRun(stream, frames, reason instanceof Error ? reason.message : String(reason), log)
      if (ended && typeof reason === 'object' && reason != null) endedRuns.add(reason)
      throw reason
    }
    stream.abort(err)
    settled = true
    if (err instanceof HandoffError) throw err
    throw new HandoffTransportError(`the handoff stream to ${peer.toString()} failed: ${String(err?.message ?? err)}`)
  } finally {
    idle.clear()
    if (!settled) await cancelRun(stream, frames, 'the caller stopped reading', log)
  }
}

/**
 * Ask the serving node to stop, then wait (bounded) for it to close the stream, which it does
 * once the run has ended; says whether it did
 */
async function cancelRun (stream: Stream, frames: ProtobufStream<Stream>, reason: string, log: Logger): Promise<boolean> {
  if (stream.status !== 'open') return stream.status === 'closed'
  log('cancelling run - %s', reason)
  // a paused stream would hold the serving node's last frames back, and its close with them
  resumeReading(stream)
  try {
    if (stream.writeStatus === 'writable') await frames.write({ cancel: { reason } }, RequestFrame, { signal: AbortSignal.timeout(CLOSE_WAIT_MS) })
  } catch (err: any) {
    stream.abort(err)
    return false
  }
  return await closeBothSides(stream)
}

/**
 * Close our side and wait, up to CLOSE_WAIT_MS, for the serving node to close its own: it does
 * once its work is over, and the stream no longer counts against this node's stream limit.
 * Resets the stream when that close does not come; says whether it came.
 */
async function closeBothSides (stream: Stream): Promise<boolean> {
  const deadline = AbortSignal.timeout(CLOSE_WAIT_MS)
  await closeStream(stream, CLOSE_WAIT_MS)
  try {
    await streamClosed(stream, deadline)
  } catch (err: any) {
    stream.abort(err)
  }
  return stream.status === 'closed'
}

function remoteResult (frame: RunResult): RemoteRunResult {
  return {
    success: frame.success,
    nodeId: frame.nodeId,
    agent: frame.agent,
    result: frame.result,
    ...(frame.error !== '' ? { error: frame.error } : {}),
    ...(frame.code !== '' ? { code: frame.code as HandoffErrorCode } : {}),
    truncated: frame.truncated
  }
}

interface CallSendInit extends AbortOptions {
  connectionManager: ConnectionManager
  protocol: string
  peer: PeerId
  message: AgentMessage
}

/** Deliver a message to an agent on `peer`; resolves with the serving node's acknowledgement */
export async function callSend (init: CallSendInit): Promise<SendReceipt> {
  const { peer } = init
  const deadline = AbortSignal.timeout(SEND_TIMEOUT_MS)
  const signal = init.signal == null ? deadline : AbortSignal.any([deadline, init.signal])
  let stream: Stream
  try {
    stream = await init.connectionManager.openStream(peer, init.protocol, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_DIAL_TIMEOUT_MS)]),
      runOnLimitedConnection: true,
      negotiateFully: false
    })
  } catch (err: any) {
    if (init.signal?.aborted === true) throw init.signal.reason
    throw new HandoffDialError(`could not open a handoff stream to ${peer.toString()}: ${String(err?.message ?? err)}`)
  }
  try {
    const frames = pbStream(stream, { maxDataLength: MAX_RESPONSE_FRAME_BYTES, maxBufferSize: 2 * MAX_RESPONSE_FRAME_BYTES })
    await frames.write({ send: init.message }, RequestFrame, { signal })
    const frame = await frames.read(ResponseFrame, { signal })
    await closeBothSides(stream)
    if (frame.ack != null) return receipt(frame.ack)
    // refused before the serving node could tell a send from a run (a frame over its limit)
    if (frame.result != null) return receipt({ ...frame.result, accepted: false, deliveryId: '' })
    throw new HandoffProtocolError(`${peer.toString()} answered a send with neither an ack nor a result`)
  } catch (err: any) {
    stream.abort(err)
    if (init.signal?.aborted === true) throw init.signal.reason
    if (err instanceof HandoffError) throw err
    if (deadline.aborted) throw new HandoffTransportError(`${peer.toString()} did not acknowledge the message within ${SEND_TIMEOUT_MS} ms`)
    throw new HandoffTransportError(`the handoff stream to ${peer.toString()} failed: ${String(err?.message ?? err)}`)
  }
}

function receipt (ack: SendAck): SendReceipt {
  return {
    accepted: ack.accepted,
    nodeId: ack.nodeId,
    agent: ack.agent,
    ...(ack.deliveryId !== '' ? { deliveryId: ack.deliveryId } : {}),
    ...(ack.error !== '' ? { error: ack.error } : {}),
    ...(ack.code !== '' ? { code: ack.code as HandoffErrorCode } : {})
  }
}
