import type { HandoffErrorCode } from './errors.js'
import type { AbortOptions } from '@libp2p/interface'

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
