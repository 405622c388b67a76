/**
 * Why a handoff or send did not produce a successful result. The same codes travel in
 * RunResult.code and SendAck.code, and reach HTTP and CLI users unchanged.
 */
export type HandoffErrorCode =
  /** the agent ran and failed (non-zero exit, `success: false`) */
  | 'agent_failed'
  /** the agent sent nothing for the idle timeout */
  | 'timeout'
  /** the caller cancelled the run or went away */
  | 'cancelled'
  /** the serving node is running as many handoffs as it allows */
  | 'busy'
  /** the serving node does not offer that agent */
  | 'unknown_agent'
  /** the serving node offers the agent but has nothing that can run it */
  | 'no_runner'
  | 'task_too_large'
  | 'context_too_large'
  | 'request_too_large'
  /** the serving node has already run this handoffId */
  | 'duplicate'
  | 'bad_request'
  /** the serving node is shutting down */
  | 'stopping'
  /** the runner broke (a bug or a host failure), not the agent */
  | 'internal'
  /** caller side: no node offers the target */
  | 'unknown_target'
  /** caller side: the serving node could not be reached, or went away mid-run */
  | 'unreachable'
  /** caller side: the serving node answered something that is not this protocol */
  | 'protocol_error'
  /**
   * caller side: the serving node went away after the agent's output had begun to arrive; the
   * task is not started again elsewhere, as part of it may have been done
   */
  | 'node_lost'

/** Failures another node may not share: the caller tries a different node after these */
const RETRYABLE = new Set<string>(['timeout', 'unreachable', 'protocol_error', 'busy', 'stopping', 'unknown_agent', 'no_runner'])

export function isRetryable (code: string): boolean {
  return RETRYABLE.has(code)
}

export class HandoffError extends Error {
  static override readonly name: string = 'HandoffError'
  override readonly name: string = 'HandoffError'

  constructor (readonly code: HandoffErrorCode, message: string, readonly offers?: string[]) {
    super(message)
  }
}

/** The agent was silent for longer than the idle timeout */
export class HandoffTimeoutError extends HandoffError {
  static override readonly name: string = 'HandoffTimeoutError'
  override readonly name: string = 'HandoffTimeoutError'

  constructor (message: string) {
    super('timeout', message)
  }
}

/** The stream to the serving node failed: dial error, reset, or closed without a result */
export class HandoffTransportError extends HandoffError {
  static override readonly name: string = 'HandoffTransportError'
  override readonly name: string = 'HandoffTransportError'

  constructor (message: string) {
    super('unreachable', message)
  }
}

/** The serving node sent a frame this protocol does not allow */
export class HandoffProtocolError extends HandoffError {
  static override readonly name: string = 'HandoffProtocolError'
  override readonly name: string = 'HandoffProtocolError'

  constructor (message: string) {
    super('protocol_error', message)
  }
}

/** No stream could be opened to the serving node: nothing was sent */
export class HandoffDialError extends HandoffTransportError {
  static override readonly name: string = 'HandoffDialError'
  override readonly name: string = 'HandoffDialError'
}
