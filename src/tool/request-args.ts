import { ToolError } from '../host/tool-error.js'
import { MAX_TOOL_NAME_CHARS } from './constants.js'

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
