import { raceSignal } from 'race-signal'
import { RequestFrame, ResponseFrame } from '../../protocols/handoff.js'
import { abortable } from '../utils/abortable.js'
import { closeStream } from '../utils/close-stream.js'
import { IdleTimer } from '../utils/idle-timer.js'
import { FINISH_TIMEOUT_MS, MAX_DELTA_BYTES, RUNNER_STOP_GRACE_MS, SEND_TIMEOUT_MS } from './constants.js'
import { HandoffError } from './errors.js'
import { tailOf, utf8Pieces } from './output-tail.js'
import type { RunRequest, RunResult, SendAck, SendRequest } from '../../protocols/handoff.js'
import type { AgentRunner, AgentRunResult } from '../host/ports.js'
import type { Logger, Stream } from '@libp2p/interface'
import type { ProtobufStream } from '@libp2p/utils'

/*
 * The serving side of one admitted request: a run streams the agent's output and ends with one
 * RunResult, a send ends with one SendAck. Either way the last frame is followed by our close.
 */

interface ServeRunInit {
  request: RunRequest
  stream: Stream
  /** reads the caller's control frames, writes responses */
  frames: ProtobufStream<Stream>
  runner: AgentRunner
  nodeId: string
  idleTimeoutMs: number
  maxResultBytes: number
  /** aborted when the node stops */
  nodeStopping: AbortSignal
  /** told the size of every delta, for status */
  onOutput: (bytes: number) => void
  log: Logger
}

/**
 * Serve one admitted run: stream the runner's deltas, stop the runner on cancel, caller gone,
 * idle timeout or node stop, and send one RunResult only once the runner has ended, so a
 * caller that waits for the stream to close knows the work is over. A stopped runner that does
 * not end within RUNNER_STOP_GRACE_MS is abandoned: its run must not hold a concurrency slot
 * forever.
 */
export async function serveRun (init: ServeRunInit): Promise<void> {
  const { request, frames, log } = init
  const stopping = new AbortController()
  const abandoned = new AbortController()
  let graceTimer: NodeJS.Timeout | undefined
  let finishDeadline: AbortSignal | undefined
  const stop = (reason: HandoffError): void => {
    if (stopping.signal.aborted) return
    log('stopping handoff %s - %s', request.handoffId, reason.message)
    finishDeadline = AbortSignal.timeout(FINISH_TIMEOUT_MS)
    graceTimer = setTimeout(() => { abandoned.abort(new Error(`the runner did not end within ${RUNNER_STOP_GRACE_MS} ms of being stopped`)) }, RUNNER_STOP_GRACE_MS)
    graceTimer.unref()
    stopping.abort(reason)
  }
  const idle = new IdleTimer(init.idleTimeoutMs, () => new HandoffError('timeout', `agent "${request.agent}" on node "${init.nodeId}" sent nothing for ${init.idleTimeoutMs} ms`))
  idle.signal.addEventListener('abort', () => { stop(idle.signal.reason) }, { once: true })
  const onNodeStopping = (): void => { stop(new HandoffError('stopping', `node "${init.nodeId}" is shutting down`)) }
  init.nodeStopping.addEventListener('abort', onNodeStopping, { once: true })
  if (init.nodeStopping.aborted) onNodeStopping()
  const watching = new AbortController()
  void watchCaller(frames, watching.signal, stop)

  let outcome: AgentRunResult | undefined
  let forwarding = true
  try {
    const events = init.runner.run({
      agent: request.agent,
      task: request.task,
      context: request.context,
      sessionId: request.sessionId,
      signal: stopping.signal
    })
    for await (const event of abortable(events, abandoned.signal)) {
      if (event.type === 'result') {
        if (!stopping.signal.aborted) outcome = event.result
        break
      }
      idle.touch()
      init.onOutput(Buffer.byteLength(event.text, 'utf8'))
      if (!forwarding) continue
      try {
        // output produced while the runner is being stopped still goes out, under a deadline
        await writeDelta(frames, event.text, finishDeadline ?? stopping.signal)
      } catch {
        forwarding = false
        stop(new HandoffError('cancelled', 'the caller stopped reading'))
      }
    }
  } catch (err: any) {
    if (!stopping.signal.aborted) {
      log.error('runner failed on handoff %s - %e', request.handoffId, err)
      stop(new HandoffError('internal', `the runner failed: ${String(err?.message ?? err)}`))
    } else {
      log('runner of handoff %s ended with an error after being stopped - %e', request.handoffId, err)
    }
  } finally {
    idle.clear()
    clearTimeout(graceTimer)
    watching.abort()
    init.nodeStopping.removeEventListener('abort', onNodeStopping)
  }

  const failed = await finish(init.stream, frames, { result: resultFrame(init, outcome, stopping.signal.reason) })
  if (failed != null) log('could not send the result of handoff %s - %e', request.handoffId, failed)
}

/** Reads what the caller sends during a run: a cancel, or nothing until it closes its side */
async function watchCaller (frames: ProtobufStream<Stream>, signal: AbortSignal, stop: (reason: HandoffError) => void): Promise<void> {
  try {
    const frame = await frames.read(RequestFrame, { signal })
    if (frame.cancel != null) {
      const why = frame.cancel.reason === '' ? '' : `: ${frame.cancel.reason}`
      stop(new HandoffError('cancelled', `cancelled by the caller${why}`))
    } else {
      stop(new HandoffError('bad_request', 'only a cancel may follow a run request'))
    }
  } catch {
    if (!signal.aborted) stop(new HandoffError('cancelled', 'the caller went away'))
  }
}

async function writeDelta (frames: ProtobufStream<Stream>, text: string, signal: AbortSignal): Promise<void> {
  for (const piece of utf8Pieces(text, MAX_DELTA_BYTES)) {
    await frames.write({ delta: { text: piece } }, ResponseFrame, { signal })
  }
}

function resultFrame (init: ServeRunInit, outcome: AgentRunResult | undefined, stopReason: unknown): RunResult {
  const base = { nodeId: init.nodeId, agent: init.request.agent }
  if (outcome == null) {
    const reason = stopReason instanceof HandoffError ? stopReason : new HandoffError('internal', 'the runner ended without a result')
    return refusedResult(init.nodeId, init.request.agent, reason)
  }
  const { text, truncated } = tailOf(outcome.result ?? '', init.maxResultBytes)
  if (outcome.success) return { ...base, success: true, result: text, error: '', code: '', truncated }
  return { ...base, success: false, result: text, error: outcome.error ?? 'the agent failed', code: 'agent_failed', truncated }
}

/** The RunResult of a run refused, or ended by `reason` before the agent gave a result */
export function refusedResult (nodeId: string, agent: string, reason: HandoffError): RunResult {
  return { success: false, nodeId, agent, result: '', error: reason.message, code: reason.code, truncated: false }
}

interface ServeSendInit {
  request: SendRequest
  stream: Stream
  frames: ProtobufStream<Stream>
  runner: AgentRunner
  nodeId: string
  log: Logger
}

/** Hand an admitted message to the runner and answer with its acknowledgement */
export async function serveSend (init: ServeSendInit): Promise<void> {
  const { request, nodeId } = init
  const base = { nodeId, agent: request.agent }
  let ack: SendAck
  try {
    const delivered = await raceSignal(init.runner.send({ agent: request.agent, message: request.message, sessionId: request.sessionId }), AbortSignal.timeout(SEND_TIMEOUT_MS), {
      translateError: () => new HandoffError('timeout', `the runner did not start the delivery within ${SEND_TIMEOUT_MS} ms`)
    })
    ack = delivered.accepted
      ? { ...base, accepted: true, deliveryId: delivered.deliveryId ?? '', error: '', code: '' }
      : { ...base, accepted: false, deliveryId: '', error: delivered.error ?? 'the agent did not accept the message', code: 'agent_failed' }
  } catch (err: any) {
    const failure = err instanceof HandoffError ? err : new HandoffError('internal', `the runner failed: ${String(err?.message ?? err)}`)
    init.log.error('send to agent %s failed - %e', request.agent, err)
    ack = { ...base, accepted: false, deliveryId: '', error: failure.message, code: failure.code }
  }
  await finish(init.stream, init.frames, { ack })
}

/**
 * Write the last frame of a stream, under FINISH_TIMEOUT_MS, and close the stream; resets it and
 * answers the error when the frame cannot be written
 */
export async function finish (stream: Stream, frames: ProtobufStream<Stream>, frame: ResponseFrame): Promise<Error | undefined> {
  try {
    await frames.write(frame, ResponseFrame, { signal: AbortSignal.timeout(FINISH_TIMEOUT_MS) })
  } catch (err: any) {
    stream.abort(err)
    return err
  }
  await closeStream(stream, FINISH_TIMEOUT_MS)
  return undefined
}
