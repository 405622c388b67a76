import type { ToolInvocation, ToolResult } from '../../host/ports.js'

export interface BuiltinToolLimits {
  /** the most bytes of content or collected output a result may hold */
  maxOutputBytes: number
}

/** One tool the standalone host offers */
export interface BuiltinTool {
  readonly name: string
  invoke(invocation: ToolInvocation, limits: BuiltinToolLimits): Promise<ToolResult>
}
