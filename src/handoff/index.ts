/**
 * The agent plane: `/clawmatrix/handoff/1.0.0` runs a task on another member's agent, streaming
 * its output back, and delivers one-way messages to agents.
 *
 * @example
 *
 * ```ts
 * const node = await createLibp2p({
 *   ...,
 *   services: { handoff: handoffService({ nodeId: 'office', runner, agents: ['coder'] }) }
 * })
 * for await (const event of node.services.handoff.run(peerId, { agent: 'coder', task: 'fix the build' })) {
 *   if (event.type === 'delta') process.stdout.write(event.text)
 * }
 * ```
 */

import { DefaultHandoffService } from './handoff-service.js'
import type { HandoffErrorCode } from './errors.js'
import type { AgentRunner } from '../host/ports.js'
import type { AbortOptions, ComponentLogger, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

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
export interface HandoffService extends Startable {
  readonly protocol: string
  /** The handoffs this node is running for callers */
  running(): RunningHandoff[]
  /**
   * Run `task` on `peer`: yields the agent's deltas as they arrive, then its result. The idle
   * timeout (default this node's handoffTimeout) restarts with every frame.
   */
  run(peer: PeerId, task: HandoffTask, options?: RunOptions): AsyncGenerator<RemoteRunEvent>
  /** Deliver `message` to an agent on `peer` without waiting for its output */
  send(peer: PeerId, message: AgentMessage, options?: AbortOptions): Promise<SendReceipt>
}

/** A task for one agent on one node */
export interface HandoffTask {
  /** unique per handoff; generated when absent, kept across retries */
  handoffId?: string
  agent: string
  task: string
  context?: string
  sessionId?: string
}

/** What a serving node answered at the end of a run */
export interface RemoteRunResult {
  success: boolean
  nodeId: string
  agent: string
  /** the agent's result; empty means "the concatenated deltas" */
  result: string
  error?: string
  code?: HandoffErrorCode
  /** `result` holds only the tail of a longer result */
  truncated: boolean
}

export type RemoteRunEvent =
  | { type: 'delta', text: string }
  | { type: 'result', result: RemoteRunResult }

export interface RunOptions extends AbortOptions {
  /** ms of silence after which the run is cancelled; restarted by every frame */
  idleTimeoutMs?: number
}

/** A one-way message for an agent */
export interface AgentMessage {
  agent: string
  message: string
  sessionId?: string
}

export interface SendReceipt {
  accepted: boolean
  nodeId: string
  agent: string
  deliveryId?: string
  error?: string
  code?: HandoffErrorCode
}

/** A handoff this node is running for a caller, for status */
export interface RunningHandoff {
  id: string
  /** the caller's peer ID */
  caller: string
  agent: string
  /** ms since the epoch when the run started */
  since: number
  /** output bytes produced so far */
  bytes: number
}

export interface HandoffOptions {
  context?: string
  sessionId?: string
  /** ms of silence before a node is given up on; restarted by every chunk (default handoffTimeout) */
  timeoutMs?: number
  signal?: AbortSignal
}

export interface HandoffResult {
  success: boolean
  handoffId: string
  nodeId: string
  peerId: string
  agent: string
  /** the agent's result, or its whole output when it gave none */
  result: string
  error?: string
  code?: HandoffErrorCode
  /** the beginning of the output was cut to the output limit (`result` says so in its first line) */
  truncated: boolean
  /** how the answering node was reached, as status `path` shows it */
  path: 'direct' | 'relayed'
  /** the relay when relayed, as status `reachableVia` names it; null when direct */
  via: string | null
  /** nodes tried, the answering one included */
  attempts: number
}

export type HandoffEvent =
  /** a node was chosen and is being asked to run the task */
  | { type: 'start', handoffId: string, nodeId: string, peerId: string, agent: string, path: 'direct' | 'relayed', via: string | null }
  | { type: 'delta', text: string }
  /** the node that was running the task failed; the output so far is abandoned and another node starts over */
  | { type: 'retry', nodeId: string, peerId: string, code: HandoffErrorCode, reason: string }
  | { type: 'result', result: HandoffResult }

export interface SendOptions {
  sessionId?: string
  signal?: AbortSignal
}

export interface SendResult {
  accepted: true
  nodeId: string
  peerId: string
  agent: string
  deliveryId?: string
  /** how the accepting node was reached, as status `path` shows it */
  path: 'direct' | 'relayed'
  /** the relay when relayed, as status `reachableVia` names it; null when direct */
  via: string | null
  /** nodes tried, the accepting one included */
  attempts: number
}

/** The agent plane's libp2p service (key `handoff` in `libp2p.services`) */
export function handoffService (init: HandoffServiceInit): (components: HandoffComponents) => HandoffService {
  return (components) => new DefaultHandoffService(components, init)
}

export { handoffThroughMesh, sendThroughMesh } from './caller.js'
export { HandoffError, HandoffTimeoutError, HandoffTransportError, HandoffDialError, HandoffProtocolError, httpStatusOf } from './errors.js'
export type { HandoffErrorCode } from './errors.js'
export { handoffInitFromConfig } from './from-config.js'
export { HANDOFF_PROTOCOL } from './constants.js'
