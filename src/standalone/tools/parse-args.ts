import { formatZodIssues } from '../../config/errors.js'
import { ToolError } from '../../tool/errors.js'
import type { z } from 'zod'

/** Validate a tool's arguments; `bad_arguments` naming every problem otherwise */
export function parseArgs<T extends z.ZodType> (schema: T, args: Record<string, unknown>, tool: string): z.output<T> {
  const parsed = schema.safeParse(args)
  if (parsed.success) return parsed.data
  throw new ToolError('bad_arguments', `bad arguments for ${tool}: ${formatZodIssues(parsed.error.issues).join('; ')}`)
}
