import { ClawMatrixError } from '../errors/clawmatrix-error.js'

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

/**
 * Failures another node may not share: the caller tries a different node after these. A code
 * read off the wire (RunResult.code) is judged the same way, through a HandoffError made of it.
 */
const RETRYABLE = new Set<string>(['timeout', 'unreachable', 'protocol_error', 'busy', 'stopping', 'unknown_agent', 'no_runner'])

/** The HTTP status of each code, for a handoff or send refused before anything was streamed */
const HTTP_STATUS: Partial<Record<HandoffErrorCode, number>> = {
  bad_request: 400,
  task_too_large: 413,
  context_too_large: 413,
  request_too_large: 413,
  unknown_target: 404,
  unknown_agent: 404,
  duplicate: 409,
  timeout: 504,
  agent_failed: 502,
  protocol_error: 502,
  internal: 502
}

/** The HTTP status a handoff error code becomes; 503 for the rest (busy, unreachable, stopping...) */
export function httpStatusOf (code: HandoffErrorCode): number {
  return HTTP_STATUS[code] ?? 503
}

export class HandoffError extends ClawMatrixError<HandoffErrorCode> {
  static override readonly name: string = 'HandoffError'
  override readonly name: string = 'HandoffError'

  constructor (code: HandoffErrorCode, message: string, readonly offers?: string[]) {
    super(code, message)
  }

  /** another node may succeed where this one failed */
  override get retryable (): boolean {
    return RETRYABLE.has(this.code)
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
