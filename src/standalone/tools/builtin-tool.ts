import type { ToolInvocation, ToolResult } from '../../host/ports.js'
import type { FileRoots } from '../../tool/file-roots.js'

export interface BuiltinToolLimits {
  /** the most bytes of content or collected output a result may hold */
  maxOutputBytes: number
  /** where read, write, edit and ls may land, checked on what they open; unset = not checked here */
  fileRoots?: FileRoots
}

/** One tool the standalone host offers */
export interface BuiltinTool {
  readonly name: string
  invoke(invocation: ToolInvocation, limits: BuiltinToolLimits): Promise<ToolResult>
}
