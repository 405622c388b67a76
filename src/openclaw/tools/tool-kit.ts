import { z } from 'zod'
import { formatZodIssues } from '../../config/errors.js'
import type { AgentTool, ToolResult } from '../openclaw-api.js'

/** Tool arguments as JSON Schema, from the same zod schema that checks them */
export function parametersOf (schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>
  delete json.$schema
  return json
}

/** Parsed arguments, or an error naming each bad field */
export function parseArgs<T> (schema: z.ZodType<T>, tool: string, params: unknown): T {
  const parsed = schema.safeParse(params ?? {})
  if (!parsed.success) throw new Error(`bad arguments for ${tool}: ${formatZodIssues(parsed.error.issues).join('; ')}`)
  return parsed.data
}

export function textResult<T> (text: string, details: T): ToolResult<T> {
  return { content: [{ type: 'text', text }], details }
}

/** An error for the model: the mesh's error code in front of the message */
export function toolFailure (err: any): Error {
  const code = typeof err?.code === 'string' ? `[${String(err.code)}] ` : ''
  return new Error(`${code}${String(err?.message ?? err)}`)
}

/** A plugin tool as OpenClaw takes it: visible to the model directly, arguments checked first */
export function defineTool<T> (spec: {
  name: string
  label: string
  description: string
  schema: z.ZodType<T>
  run: (args: T, signal: AbortSignal | undefined, onUpdate: ((partial: ToolResult) => void) | undefined) => Promise<ToolResult>
}): AgentTool {
  return {
    name: spec.name,
    label: spec.label,
    description: spec.description,
    parameters: parametersOf(spec.schema),
    catalogMode: 'direct-only',
    execute: async (_toolCallId, params, signal, onUpdate) => {
      const args = parseArgs(spec.schema, spec.name, params)
      try {
        return await spec.run(args, signal, onUpdate)
      } catch (err) {
        throw toolFailure(err)
      }
    }
  }
}
