import { ToolError } from '../../tool/errors.js'
import { editTool } from './edit-tool.js'
import { execTool } from './exec-tool.js'
import { lsTool } from './ls-tool.js'
import { readTool } from './read-tool.js'
import { writeTool } from './write-tool.js'
import type { BuiltinTool } from './builtin-tool.js'
import type { ToolExecutor, ToolInvocation, ToolResult } from '../../host/ports.js'
import type { FileRoots } from '../../tool/file-roots.js'

export interface StandaloneToolsInit {
  /** the most bytes of content or collected output one result holds; default 1 MiB */
  maxOutputBytes?: number
  /**
   * toolProxy.roots (`fileRootsOf(config)`): read, write, edit and ls check what they actually
   * open against them, so a link swapped in after the tool service's check cannot lead outside
   */
  fileRoots?: FileRoots
}

const BUILTIN_TOOLS: readonly BuiltinTool[] = [execTool, readTool, writeTool, editTool, lsTool]

/**
 * The standalone host's tools: `exec`, `read`, `write`, `edit`, `ls`. Policy (who may call,
 * which paths) is the tool service's job; this only runs what it is handed.
 */
export function standaloneToolExecutor (init: StandaloneToolsInit = {}): ToolExecutor {
  const limits = { maxOutputBytes: init.maxOutputBytes ?? 1_048_576, ...(init.fileRoots != null ? { fileRoots: init.fileRoots } : {}) }
  const byName = new Map(BUILTIN_TOOLS.map(tool => [tool.name, tool]))
  return {
    tools: () => [...byName.keys()],
    async invoke (invocation: ToolInvocation): Promise<ToolResult> {
      const tool = byName.get(invocation.tool)
      if (tool == null) throw new ToolError('not_found', `no tool "${invocation.tool}" (offered: ${[...byName.keys()].join(', ')})`)
      return await tool.invoke(invocation, limits)
    }
  }
}
