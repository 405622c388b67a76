import { randomUUID } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { raceSignal } from 'race-signal'
import { NoRouteError } from '../router/router.js'
import { MAX_TIMER_MS } from '../utils/idle-timer.js'
import { LOST_RUN_WAIT_MS, MAX_RETRIES } from './constants.js'
import { HandoffDialError, HandoffError } from './errors.js'
import { runEndConfirmed } from './handoff-client.js'
import { checkSize } from './handoff-service.js'
import { cutNotice, OutputTail } from './output-tail.js'
import type { MeshContext } from '../mesh/context.js'
import type { RouteCandidate } from '../router/router.js'
import type { HandoffEvent, HandoffOptions, HandoffResult, HandoffService, RemoteRunResult, SendOptions, SendReceipt, SendResult } from './index.js'

const log = logger('clawmatrix:handoff')

/*
 * The caller side: choosing a node for a target, and starting over on another when one fails
 * in a way another node may not share.
 */

interface Attempt {
  candidate: RouteCandidate
  agent: string
}

/**
 * Hand `task` to an agent elsewhere in the mesh (see `runHandoff`), counted in the node's
 * metrics by the node that ran it, its outcome and its duration, and each failover.
 */
export async function * handoffThroughMesh (ctx: MeshContext, target: string, task: string, options: HandoffOptions = {}): AsyncGenerator<HandoffEvent> {
  const metrics = ctx.metrics
  if (metrics == null) {
    yield * runHandoff(ctx, target, task, options)
    return
  }
  const started = performance.now()
  let serving: { nodeId: string, peerId: string } | undefined
  // a caller that stops reading before the result has given up on it
  let outcome = 'cancelled'
  let message: string | undefined
  try {
    for await (const event of runHandoff(ctx, target, task, options)) {
      if (event.type === 'start') serving = { nodeId: event.nodeId, peerId: event.peerId }
      if (event.type === 'retry') metrics.failover('handoff')
      if (event.type === 'result') {
        outcome = event.result.success ? 'ok' : event.result.code ?? 'agent_failed'
        if (!event.result.success) message = `${event.result.agent}: ${event.result.error ?? outcome}`
      }
      yield event
    }
  } catch (err: any) {
    outcome = options.signal?.aborted === true ? 'cancelled' : err?.code ?? 'internal'
    message = String(err?.message ?? err)
    throw err
  } finally {
    metrics.handoffEnded(serving?.nodeId, serving?.peerId, outcome, started, message)
  }
}

/**
 * Hand `task` to the agent `target` resolves to (agent id, `tags:<t>`, node id or peer ID),
 * yielding its output and then its result. A node that refuses with a retryable code, goes
 * away or stays silent for `timeoutMs` before any output arrived is left, and the task starts
 * over on a different node for the same target (at most MAX_RETRIES times): at once when that
 * node confirmed the run is over (it answered, or closed the stream after our cancel), else
 * after LOST_RUN_WAIT_MS, the time a node that lost us takes to end the run. Once output has
 * arrived nothing starts over: losing the node ends the handoff with `node_lost`, another
 * failure with its own code. An agent's own failure is final. So a task never runs on two
 * nodes at once, and it runs again only when it had printed nothing. Everything else (no such
 * target, refused, nothing left to try) throws a HandoffError.
 */
async function * runHandoff (ctx: MeshContext, target: string, task: string, options: HandoffOptions): AsyncGenerator<HandoffEvent> {
  const service = handoffServiceOf(ctx)
  const refusal = (task === '' ? new HandoffError('bad_request', 'task is empty') : undefined) ??
    checkSize('task', task, ctx.config.maxTaskBytes, 'maxTaskBytes', 'task_too_large') ??
    checkSize('context', options.context ?? '', ctx.config.maxContextBytes, 'maxContextBytes', 'context_too_large')
  if (refusal != null) throw refusal
  const idleTimeoutMs = options.timeoutMs ?? ctx.config.handoffTimeout
  if (!Number.isInteger(idleTimeoutMs) || idleTimeoutMs <= 0 || idleTimeoutMs > MAX_TIMER_MS) {
    throw new HandoffError('bad_request', `timeout must be a whole number of ms from 1 to ${MAX_TIMER_MS}, not ${idleTimeoutMs}`)
  }

  const handoffId = randomUUID()
  const tried = new Set<string>()
  let failure: Failure | undefined
  for (let n = 0; n <= MAX_RETRIES; n++) {
    let attempt = nextAttempt(ctx, target, tried, failure == null)
    if (attempt == null) break
    if (failure != null) {
      yield { type: 'retry', nodeId: failure.attempt.candidate.nodeId, peerId: failure.attempt.candidate.peerId.toString(), code: failure.error.code, reason: failure.error.message }
      if (!failure.runEnded) {
        await lostRunWait(options.signal)
        // the mesh may have changed meanwhile
        attempt = nextAttempt(ctx, target, tried, false)
        if (attempt == null) break
      }
    }
    const { candidate, agent } = attempt
    tried.add(candidate.peerId.toString())
    log('handoff %s to "%s": agent %s on %s (%s%s), attempt %d', handoffId, target, agent, candidate.nodeId, candidate.path, candidate.via != null ? ` via ${candidate.via}` : '', tried.size)
    yield { type: 'start', handoffId, nodeId: candidate.nodeId, peerId: candidate.peerId.toString(), agent, path: candidate.path, via: candidate.via }

    const output = new OutputTail(ctx.config.maxHandoffOutputBytes)
    let printed = false
    let answer: RemoteRunResult | undefined
    const end = ctx.router.begin('handoff', candidate.peerId)
    try {
      const events = service.run(candidate.peerId, { handoffId, agent, task, context: options.context, sessionId: options.sessionId }, { idleTimeoutMs, signal: options.signal })
      for await (const event of events) {
        if (event.type === 'delta') {
          output.append(event.text)
          printed = true
          yield event
        } else {
          answer = event.result
        }
      }
    } catch (err: any) {
      if (options.signal?.aborted === true) throw options.signal.reason
      if (!(err instanceof HandoffError) || !err.retryable) throw err
      if (err.code === 'unreachable' || err.code === 'protocol_error') ctx.router.markFailed(candidate.peerId)
      if (printed) throw afterOutput(target, candidate, err)
      failure = { attempt, error: err, runEnded: err instanceof HandoffDialError || runEndConfirmed(err) }
      continue
    } finally {
      end()
    }
    if (answer == null) throw new HandoffError('protocol_error', `${candidate.nodeId} ended the run without a result`)
    if (answer.success || answer.code === 'agent_failed') {
      yield { type: 'result', result: finalResult(handoffId, candidate, answer, output, tried.size) }
      return
    }
    const refused = new HandoffError(answer.code ?? 'internal', answer.error ?? `${candidate.nodeId} refused the handoff`)
    if (!refused.retryable) throw refused
    if (printed) throw afterOutput(target, candidate, refused)
    // an answer is the node's word that its run is over (or never began)
    failure = { attempt, error: refused, runEnded: true }
  }
  throw exhausted('Handoff to', target, tried.size, failure)
}

interface Failure {
  attempt: Attempt
  error: HandoffError
  /** the node that failed is known to run the task no more */
  runEnded: boolean
}

/** The final error of a handoff whose node failed after output had arrived: nothing starts over */
function afterOutput (target: string, candidate: RouteCandidate, err: HandoffError): HandoffError {
  const lost = err.code === 'unreachable' || err.code === 'protocol_error'
  const what = lost ? `lost node "${candidate.nodeId}"` : `failed on node "${candidate.nodeId}"`
  return new HandoffError(lost ? 'node_lost' : err.code, `Handoff to "${target}" ${what} after output had arrived, so it is not started over elsewhere: ${err.message}`)
}

async function lostRunWait (signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted()
  let timer: NodeJS.Timeout | undefined
  try {
    await raceSignal(new Promise<void>(resolve => { timer = setTimeout(resolve, LOST_RUN_WAIT_MS) }), signal)
  } finally {
    clearTimeout(timer)
  }
}

/** The best candidate for `target` not tried yet; the first time, routing errors are the caller's answer */
function nextAttempt (ctx: MeshContext, target: string, tried: Set<string>, first: boolean): Attempt | undefined {
  let candidates: RouteCandidate[]
  try {
    candidates = ctx.router.agents(target)
  } catch (err: any) {
    if (!first) return undefined
    if (err instanceof NoRouteError) throw new HandoffError(err.code, err.message, err.offers)
    throw err
  }
  for (const candidate of candidates) {
    if (tried.has(candidate.peerId.toString())) continue
    const agent = candidate.agent ?? candidate.record.agents[0]?.id
    if (agent != null) return { candidate, agent }
  }
  if (first) throw new HandoffError('unknown_target', `no node offers an agent for "${target}"`)
  return undefined
}

function finalResult (handoffId: string, candidate: RouteCandidate, answer: RemoteRunResult, output: OutputTail, attempts: number): HandoffResult {
  const fromDeltas = answer.result === ''
  const text = fromDeltas ? output.text() : answer.result
  const truncated = fromDeltas ? output.truncated : answer.truncated
  return {
    success: answer.success,
    handoffId,
    nodeId: answer.nodeId !== '' ? answer.nodeId : candidate.nodeId,
    peerId: candidate.peerId.toString(),
    agent: answer.agent,
    result: truncated ? cutNotice(text) + text : text,
    ...(answer.error != null ? { error: answer.error } : {}),
    ...(answer.code != null ? { code: answer.code } : {}),
    truncated,
    path: candidate.path,
    via: candidate.via,
    attempts
  }
}

function exhausted (what: 'Handoff to' | 'Message to', target: string, attempts: number, failure: Omit<Failure, 'runEnded'> | undefined): HandoffError {
  if (failure == null) return new HandoffError('unknown_target', `no node offers an agent for "${target}"`)
  const { error, attempt } = failure
  const outcome = error.code === 'timeout' ? 'timed out' : 'failed'
  const where = attempts === 1
    ? `on node "${attempt.candidate.nodeId}", and no other node offers it`
    : `on ${attempts} nodes, last on "${attempt.candidate.nodeId}"`
  return new HandoffError(error.code, `${what} "${target}" ${outcome} ${where}: ${error.message}`)
}

/**
 * Deliver `message` to the agent `target` resolves to and return once that node has
 * accepted it. Another node is tried only when nothing can have been delivered (no stream
 * could be opened, or the node cannot run the agent).
 */
export async function sendThroughMesh (ctx: MeshContext, target: string, message: string, options: SendOptions = {}): Promise<SendResult> {
  const service = handoffServiceOf(ctx)
  const refusal = (message === '' ? new HandoffError('bad_request', 'message is empty') : undefined) ??
    checkSize('message', message, ctx.config.maxTaskBytes, 'maxTaskBytes', 'task_too_large')
  if (refusal != null) throw refusal
  const tried = new Set<string>()
  let failure: Omit<Failure, 'runEnded'> | undefined
  for (let n = 0; n <= MAX_RETRIES; n++) {
    const attempt = nextAttempt(ctx, target, tried, failure == null)
    if (attempt == null) break
    const { candidate, agent } = attempt
    tried.add(candidate.peerId.toString())
    let receipt: SendReceipt
    const end = ctx.router.begin('handoff', candidate.peerId)
    try {
      receipt = await service.send(candidate.peerId, { agent, message, ...(options.sessionId != null ? { sessionId: options.sessionId } : {}) }, { signal: options.signal })
    } catch (err: any) {
      if (options.signal?.aborted === true) throw options.signal.reason
      if (!(err instanceof HandoffDialError)) throw err
      ctx.router.markFailed(candidate.peerId)
      failure = { attempt, error: err }
      continue
    } finally {
      end()
    }
    if (receipt.accepted) {
      return {
        accepted: true,
        nodeId: receipt.nodeId,
        peerId: candidate.peerId.toString(),
        agent: receipt.agent,
        ...(receipt.deliveryId != null ? { deliveryId: receipt.deliveryId } : {}),
        path: candidate.path,
        via: candidate.via,
        attempts: tried.size
      }
    }
    const refused = new HandoffError(receipt.code ?? 'agent_failed', receipt.error ?? `${candidate.nodeId} did not accept the message`)
    if (!NOT_DELIVERED.has(refused.code)) throw refused
    failure = { attempt, error: refused }
  }
  throw exhausted('Message to', target, tried.size, failure)
}

/** refusals that prove the message was not delivered, so another node may take it */
const NOT_DELIVERED = new Set<string>(['busy', 'stopping', 'unknown_agent', 'no_runner'])

function handoffServiceOf (ctx: MeshContext): HandoffService {
  const service = ctx.libp2p.services.handoff as HandoffService | undefined
  if (service == null) throw new Error('this node runs no handoff service (libp2p.services.handoff)')
  return service
}
