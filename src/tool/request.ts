import { ToolRequest } from '../../protocols/tool.js'
import { DEFAULT_EXEC_TIMEOUT_S, DEFAULT_TOOL_TIMEOUT_MS, MAX_REQUEST_BYTES, MAX_TOOL_NAME_CHARS } from './constants.js'
import { ToolError } from './errors.js'
import type { ToolCallRequest } from './index.js'

/** The request frame: the caller builds it, the serving node checks it and grants its deadline */

const MAX_UINT32 = 0xffff_ffff

/** How long a call may take when nobody says: exec's `timeout` argument, else a fixed default */
export function defaultTimeoutMs (tool: string, args: Record<string, unknown>): number {
  if (tool !== 'exec') return DEFAULT_TOOL_TIMEOUT_MS
  const seconds = typeof args.timeout === 'number' && args.timeout > 0 ? args.timeout : DEFAULT_EXEC_TIMEOUT_S
  return Math.ceil(seconds * 1000)
}

/**
 * The caller's frame for `request`, with the deadline it waits for (`timeoutMs`, else the
 * default); `bad_arguments` for a bad deadline or a frame over MAX_REQUEST_BYTES
 */
export function requestFrame (request: ToolCallRequest): ToolRequest {
  if (request.timeoutMs != null && !(request.timeoutMs > 0)) throw new ToolError('bad_arguments', 'timeoutMs must be a positive number of ms')
  const timeoutMs = Math.min(Math.ceil(request.timeoutMs ?? defaultTimeoutMs(request.tool, request.args)), MAX_UINT32)
  const frame: ToolRequest = { tool: request.tool, args: JSON.stringify(request.args), timeoutMs }
  const size = ToolRequest.encode(frame).byteLength
  if (size > MAX_REQUEST_BYTES) {
    throw new ToolError('bad_arguments', `the request is ${size} bytes, over the limit of ${MAX_REQUEST_BYTES} bytes`)
  }
  return frame
}

export function checkToolName (tool: string): void {
  if (tool === '') throw new ToolError('bad_arguments', 'the request names no tool')
  if (tool.length > MAX_TOOL_NAME_CHARS) throw new ToolError('bad_arguments', `tool name is over ${MAX_TOOL_NAME_CHARS} characters`)
}

/** The request's `args` text as an object; `bad_arguments` naming the problem otherwise */
export function parseRequestArgs (json: string): Record<string, unknown> {
  if (json === '') return {}
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (err: any) {
    throw new ToolError('bad_arguments', `args are not valid JSON: ${String(err.message)}`)
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ToolError('bad_arguments', 'args must be a JSON object')
  }
  return value as Record<string, unknown>
}

/** The deadline the serving node grants: what the caller asked for, capped by toolProxy.maxExecTimeout */
export function grantedTimeoutMs (requestedMs: number, tool: string, args: Record<string, unknown>, maxExecTimeoutS: number): number {
  const wanted = requestedMs > 0 ? requestedMs : defaultTimeoutMs(tool, args)
  return Math.min(wanted, maxExecTimeoutS * 1000)
}
