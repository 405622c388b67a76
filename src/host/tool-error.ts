/**
 * Why a tool call did not produce a result. The same codes travel on the wire
 * (/clawmatrix/tool/1.0.0), come back from the caller side and are printed by the CLI.
 */
export type ToolErrorCode = 'disabled' | 'denied' | 'not_found' | 'bad_arguments' | 'timeout' | 'busy' | 'failed'

export const TOOL_ERROR_CODES: readonly ToolErrorCode[] = ['disabled', 'denied', 'not_found', 'bad_arguments', 'timeout', 'busy', 'failed']

/** Thrown by any ToolExecutor (and by the tool plane) to end a call with a specific code */
export class ToolError extends Error {
  override readonly name: string = 'ToolError'

  constructor (readonly code: ToolErrorCode, message: string) {
    super(message)
  }
}

export function isToolErrorCode (value: unknown): value is ToolErrorCode {
  return typeof value === 'string' && (TOOL_ERROR_CODES as readonly string[]).includes(value)
}
