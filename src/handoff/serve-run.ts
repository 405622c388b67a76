import { RequestFrame, ResponseFrame } from '../../protocols/handoff.js'
import { FINISH_TIMEOUT_MS, MAX_DELTA_BYTES, RUNNER_STOP_GRACE_MS } from './constants.js'
import { HandoffError } from './errors.js'
import { IdleTimer } from './idle-timer.js'
import { tailOf, utf8Pieces } from './output-tail.js'
import { closeStream } from './stream-end.js'
import type { RunRequest, RunResult } from '../../protocols/handoff.js'
import type { AgentRunEvent, AgentRunner, AgentRunResult } from '../host/ports.js'
import type { Logger, Stream } from '@libp2p/interface'
import type { ProtobufStream } from '@libp2p/utils'

export interface ServeRunInit {
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
 * caller that waits for the stream to close knows the work is over.
 */
export async function serveRun (init: ServeRunInit): Promise<void> {
  const { request, stream, frames, log } = init
  const stopping = new AbortController()
  let finishDeadline: AbortSignal | undefined
  const stop = (reason: HandoffError): void => {
    if (stopping.signal.aborted) return
    log('stopping handoff %s - %s', request.handoffId, reason.message)
    finishDeadline = AbortSignal.timeout(FINISH_TIMEOUT_MS)
    stopping.abort(reason)
  }
  const idle = new IdleTimer(init.idleTimeoutMs, () => {
    stop(new HandoffError('timeout', `agent "${request.agent}" on node "${init.nodeId}" sent nothing for ${init.idleTimeoutMs} ms`))
  })
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
    for await (const event of untilAbandoned(events, stopping.signal)) {
      if (event.type === 'result') {
        if (!stopping.signal.aborted) outcome = event.result
        break
      }
      idle.restart()
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
    watching.abort()
    init.nodeStopping.removeEventListener('abort', onNodeStopping)
  }

  const result = resultFrame(init, outcome, stopping.signal.reason)
  try {
    await frames.write({ result }, ResponseFrame, { signal: AbortSignal.timeout(FINISH_TIMEOUT_MS) })
  } catch (err: any) {
    log('could not send the result of handoff %s - %e', request.handoffId, err)
    stream.abort(err)
    return
  }
  await closeStream(stream, FINISH_TIMEOUT_MS)
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
    return { ...base, success: false, result: '', error: reason.message, code: reason.code, truncated: false }
  }
  const { text, truncated } = tailOf(outcome.result ?? '', init.maxResultBytes)
  if (outcome.success) return { ...base, success: true, result: text, error: '', code: '', truncated }
  return { ...base, success: false, result: text, error: outcome.error ?? 'the agent failed', code: 'agent_failed', truncated }
}

/**
 * The runner's events until it ends; once `stopped` aborts, a runner that does not end within
 * the grace period is abandoned (its run must not hold a concurrency slot forever).
 */
async function * untilAbandoned (events: AsyncIterable<AgentRunEvent>, stopped: AbortSignal): AsyncGenerator<AgentRunEvent> {
  const iterator = events[Symbol.asyncIterator]()
  let ended = false
  try {
    while (true) {
      const next = await withGraceAfter(iterator.next(), stopped)
      if (next.done === true) {
        ended = true
        return
      }
      yield next.value
    }
  } finally {
    if (!ended) iterator.return?.().catch(() => {})
  }
}

async function withGraceAfter<T> (pending: Promise<T>, stopped: AbortSignal): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  let onStop: (() => void) | undefined
  const abandoned = new Promise<never>((_resolve, reject) => {
    onStop = () => {
      timer = setTimeout(() => { reject(new Error(`the runner did not end within ${RUNNER_STOP_GRACE_MS} ms of being stopped`)) }, RUNNER_STOP_GRACE_MS)
    }
    if (stopped.aborted) onStop()
    else stopped.addEventListener('abort', onStop, { once: true })
  })
  try {
    return await Promise.race([pending, abandoned])
  } finally {
    clearTimeout(timer)
    if (onStop != null) stopped.removeEventListener('abort', onStop)
  }
}
