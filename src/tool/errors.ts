import { CallError } from '../../protocols/tool.js'
import { ClawMatrixError } from '../errors/clawmatrix-error.js'

/**
 * Why a tool call did not produce a result. The same codes travel on the wire
 * (/clawmatrix/tool/1.0.0), come back from the caller side and are printed by the CLI.
 */
export type ToolErrorCode = 'disabled' | 'denied' | 'not_found' | 'bad_arguments' | 'timeout' | 'busy' | 'failed'

/**
 * Thrown by any ToolExecutor (and by the tool plane) to end a call with a specific code. Never
 * retryable: a call is never re-run elsewhere, since a tool may have changed something before
 * it failed (`busy` says nothing ran, and its message asks the user to try again later).
 */
export class ToolError extends ClawMatrixError<ToolErrorCode> {
  static override readonly name: string = 'ToolError'
  override readonly name: string = 'ToolError'
}

/**
 * The caller could not complete the exchange with the serving node: dial failed, stream reset,
 * no answer by the deadline, a malformed or oversized frame. Unlike a plain ToolError, which
 * the serving node sent, it says nothing about whether the tool ran.
 */
export class ToolStreamError extends ToolError {
  static override readonly name: string = 'ToolStreamError'
  override readonly name: string = 'ToolStreamError'

  constructor (code: Extract<ToolErrorCode, 'failed' | 'timeout'>, message: string) {
    super(code, message)
  }
}

/** Each code as the wire carries it (CallError.Code) */
const CODE_TO_WIRE: Record<ToolErrorCode, CallError.Code> = {
  failed: CallError.Code.FAILED,
  disabled: CallError.Code.DISABLED,
  denied: CallError.Code.DENIED,
  not_found: CallError.Code.NOT_FOUND,
  bad_arguments: CallError.Code.BAD_ARGUMENTS,
  timeout: CallError.Code.TIMEOUT,
  busy: CallError.Code.BUSY
}

const CODE_FROM_WIRE = new Map(Object.entries(CODE_TO_WIRE).map(([code, wire]) => [wire, code as ToolErrorCode]))

export function codeToWire (code: ToolErrorCode): CallError.Code {
  return CODE_TO_WIRE[code]
}

/** A code this version does not know is `failed` */
export function codeFromWire (code: CallError.Code): ToolErrorCode {
  return CODE_FROM_WIRE.get(code) ?? 'failed'
}

/**
 * The HTTP status of each code the tool route answers: the tool codes, and the router's
 * (`unknown_target`, `unreachable`) for a node that cannot be reached at all.
 */
const STATUS_BY_CODE: Record<string, number> = {
  bad_arguments: 400,
  disabled: 403,
  denied: 403,
  not_found: 404,
  unknown_target: 404,
  unreachable: 503,
  timeout: 504,
  busy: 429,
  failed: 502
}

/** The HTTP status of a code the tool route answers; an unknown code is a 502 */
export function httpStatusOf (code: string): number {
  return STATUS_BY_CODE[code] ?? 502
}
