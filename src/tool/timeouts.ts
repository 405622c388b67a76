import { DEFAULT_EXEC_TIMEOUT_S, DEFAULT_TOOL_TIMEOUT_MS } from './constants.js'

/** How long a call may take when nobody says: exec's `timeout` argument, else a fixed default */
export function defaultTimeoutMs (tool: string, args: Record<string, unknown>): number {
  if (tool !== 'exec') return DEFAULT_TOOL_TIMEOUT_MS
  const seconds = typeof args.timeout === 'number' && args.timeout > 0 ? args.timeout : DEFAULT_EXEC_TIMEOUT_S
  return Math.ceil(seconds * 1000)
}

/** The deadline the serving node grants: what the caller asked for, capped by toolProxy.maxExecTimeout */
export function grantedTimeoutMs (requestedMs: number, tool: string, args: Record<string, unknown>, maxExecTimeoutS: number): number {
  const wanted = requestedMs > 0 ? requestedMs : defaultTimeoutMs(tool, args)
  return Math.min(wanted, maxExecTimeoutS * 1000)
}
