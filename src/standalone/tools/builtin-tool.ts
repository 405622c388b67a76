import { z } from 'zod'
import { formatZodIssues } from '../../config/errors.js'
import { ToolError } from '../../tool/errors.js'
import type { ToolInvocation, ToolResult } from '../../host/ports.js'
import type { FileRoots } from '../../tool/file-roots.js'

/** What a built-in tool of the standalone host is: its contract, its argument checks, its errors */

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

export const pathArg = z.string().min(1, { error: 'must not be empty' })

export const encodingArg = z.enum(['utf8', 'base64'], { error: 'must be "utf8" or "base64"' }).default('utf8')

/** Validate a tool's arguments; `bad_arguments` naming every problem otherwise */
export function parseArgs<T extends z.ZodType> (schema: T, args: Record<string, unknown>, tool: string): z.output<T> {
  const parsed = schema.safeParse(args)
  if (parsed.success) return parsed.data
  throw new ToolError('bad_arguments', `bad arguments for ${tool}: ${formatZodIssues(parsed.error.issues).join('; ')}`)
}

/** A file system error as a ToolError that names the path */
export function fsToolError (err: any, path: string): ToolError {
  switch (err?.code) {
    case 'ENOENT':
      return new ToolError('not_found', `no such file or directory: ${path}`)
    case 'EISDIR':
      return new ToolError('bad_arguments', `${path} is a directory`)
    case 'ENOTDIR':
      return new ToolError('bad_arguments', `a part of ${path} is not a directory`)
    case 'ELOOP':
      return new ToolError('denied', `${path} is a symbolic link; file tools do not follow links`)
    case 'EACCES':
    case 'EPERM':
      return new ToolError('denied', `permission denied: ${path}`)
    default:
      return new ToolError('failed', `${path}: ${String(err?.message ?? err)}`)
  }
}
