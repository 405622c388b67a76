import { once } from 'node:events'
import { z } from 'zod'
import { formatZodIssues } from '../../config/errors.js'
import { NoRouteError } from '../../router/router.js'
import { MAX_REQUEST_BYTES } from '../../tool/constants.js'
import { ToolError, httpStatusOf } from '../../tool/errors.js'
import { HttpError, readJsonObject } from '../respond.js'
import type { MeshToolOptions, MeshToolResult } from '../../tool/index.js'
import type { Route } from '../route.js'
import type { ServerResponse } from 'node:http'

/** What the route needs from the node */
export interface ToolCallingNode {
  invokeTool(node: string, tool: string, args: Record<string, unknown>, options: MeshToolOptions): Promise<MeshToolResult>
}

/** JSON escaping can double a file's content; this leaves room for it and the other fields */
const MAX_BODY_BYTES = 2 * MAX_REQUEST_BYTES + 64 * 1024

const toolBody = z.strictObject({
  node: z.string().min(1, { error: 'must not be empty' }),
  tool: z.string().min(1, { error: 'must not be empty' }),
  args: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }).default({}),
  timeoutMs: z.number().int().positive().optional()
})

function errorCode (err: unknown): string {
  return err instanceof ToolError || err instanceof NoRouteError ? err.code : 'failed'
}

async function writeLine (res: ServerResponse, value: unknown): Promise<void> {
  if (!res.write(JSON.stringify(value) + '\n')) await Promise.race([once(res, 'drain'), once(res, 'close')])
}

/**
 * POST /clawmatrix/tool `{ node, tool, args, timeoutMs? }` (admin): NDJSON lines
 * `{type:"output",channel,data}` (data base64, bytes as produced) while the tool runs, then one
 * `{type:"result",ok,content,details,truncated,nodeId,peerId}`, or `{type:"error",code,message}`.
 * A call refused or failed before any output is a plain HTTP error carrying the same code.
 */
export function toolRoutes (node: ToolCallingNode): Route[] {
  return [{
    method: 'POST',
    path: '/clawmatrix/tool',
    auth: 'admin',
    handle: async ({ req, res, signal }) => {
      const { value } = await readJsonObject(req, MAX_BODY_BYTES)
      const parsed = toolBody.safeParse(value)
      if (!parsed.success) throw new HttpError(400, 'bad_request', formatZodIssues(parsed.error.issues).join('; '))
      const { node: target, tool, args, timeoutMs } = parsed.data

      // output streams as it comes: the serving node's maxOutputBytes bounds what is buffered here
      const startStream = (): void => {
        if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
      }
      const onOutput = (chunk: Uint8Array, channel: 'stdout' | 'stderr'): void => {
        startStream()
        res.write(JSON.stringify({ type: 'output', channel, data: Buffer.from(chunk).toString('base64') }) + '\n')
      }
      let result: MeshToolResult
      try {
        result = await node.invokeTool(target, tool, args, { signal, onOutput, ...(timeoutMs != null ? { timeoutMs } : {}) })
      } catch (err: any) {
        if (signal.aborted) return
        const code = errorCode(err)
        if (!res.headersSent) {
          throw new HttpError(httpStatusOf(code), code, String(err?.message ?? err))
        }
        await writeLine(res, { type: 'error', code, message: String(err?.message ?? err) })
        res.end()
        return
      }
      startStream()
      await writeLine(res, { type: 'result', ...result })
      res.end()
    }
  }]
}
