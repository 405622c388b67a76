import { ToolError } from '../host/tool-error.js'
import type { ToolErrorCode } from '../host/tool-error.js'

/**
 * The caller could not complete the exchange with the serving node: dial failed, stream reset,
 * no answer by the deadline, a malformed or oversized frame. Unlike a plain ToolError, which
 * the serving node sent, it says nothing about whether the tool ran.
 */
export class ToolStreamError extends ToolError {
  override readonly name = 'ToolStreamError'

  constructor (code: Extract<ToolErrorCode, 'failed' | 'timeout'>, message: string) {
    super(code, message)
  }
}
