import { once } from 'node:events'
import { HandoffError, handoffThroughMesh, sendThroughMesh } from '../../handoff/index.js'
import { NoRouteError } from '../../router/router.js'
import { HttpError, readJsonObject, sendJson } from '../respond.js'
import type { HandoffEvent } from '../../handoff/index.js'
import type { MeshContext } from '../../mesh/context.js'
import type { Route } from '../route.js'
import type { ServerResponse } from 'node:http'

/** JSON escaping can double a text; this leaves room for it and the other fields */
const BODY_OVERHEAD_BYTES = 64 * 1024

const STATUS_BY_CODE: Record<string, number> = {
  bad_request: 400,
  task_too_large: 413,
  context_too_large: 413,
  request_too_large: 413,
  unknown_target: 404,
  unknown_agent: 404,
  duplicate: 409,
  timeout: 504,
  agent_failed: 502,
  protocol_error: 502,
  internal: 502
}

/** A HandoffError or routing error as the HTTP error it becomes before anything was streamed */
function httpErrorOf (err: unknown): unknown {
  if (err instanceof NoRouteError || err instanceof HandoffError) {
    return new HttpError(STATUS_BY_CODE[err.code] ?? 503, err.code, err.message)
  }
  return err
}

function requiredString (body: Record<string, unknown>, name: string): string {
  const value = body[name]
  if (typeof value !== 'string' || value === '') throw new HttpError(400, 'bad_request', `${name} must be a non-empty string`)
  return value
}

function optionalString (body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name]
  if (value == null) return undefined
  if (typeof value !== 'string') throw new HttpError(400, 'bad_request', `${name} must be a string`)
  return value
}

function timeoutField (body: Record<string, unknown>): number | undefined {
  const value = body.timeoutMs
  if (value == null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new HttpError(400, 'bad_request', 'timeoutMs must be a positive whole number of ms')
  return value
}

async function writeLine (res: ServerResponse, value: unknown): Promise<void> {
  if (!res.write(JSON.stringify(value) + '\n')) await Promise.race([once(res, 'drain'), once(res, 'close')])
}

function lineOf (event: HandoffEvent): Record<string, unknown> {
  return event.type === 'result' ? { type: 'result', ...event.result } : event
}

/**
 * POST /clawmatrix/handoff `{ target, task, context?, sessionId?, timeoutMs? }`: NDJSON lines
 * `{type:"delta",text}` as the agent works, `{type:"retry",...}` when another node starts over,
 * then one `{type:"result",...}`, or `{type:"error",code,message}` once streaming has begun.
 * POST /clawmatrix/send `{ target, message, sessionId? }`: the delivery's acknowledgement.
 */
export function handoffRoutes (node: MeshContext): Route[] {
  const maxBody = (): number => 2 * (node.config.maxTaskBytes + node.config.maxContextBytes) + BODY_OVERHEAD_BYTES
  return [
    {
      method: 'POST',
      path: '/clawmatrix/handoff',
      auth: 'admin',
      handle: async ({ req, res, signal }) => {
        const { value: body } = await readJsonObject(req, maxBody())
        const target = requiredString(body, 'target')
        const task = requiredString(body, 'task')
        const context = optionalString(body, 'context')
        const sessionId = optionalString(body, 'sessionId')
        const timeoutMs = timeoutField(body)
        const events = handoffThroughMesh(node, target, task, { context, sessionId, timeoutMs, signal })
        // refusals before a node is chosen (bad input, no such target) are plain HTTP errors
        let first: IteratorResult<HandoffEvent>
        try {
          first = await events.next()
        } catch (err) {
          throw httpErrorOf(err)
        }
        res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
        try {
          if (first.done !== true) await writeLine(res, lineOf(first.value))
          for await (const event of events) {
            if (res.destroyed) break
            await writeLine(res, lineOf(event))
          }
        } catch (err: any) {
          if (!res.destroyed) {
            const code = err instanceof HandoffError || err instanceof NoRouteError ? err.code : 'internal'
            await writeLine(res, { type: 'error', code, message: String(err?.message ?? err) })
          }
        } finally {
          await events.return(undefined)
          res.end()
        }
      }
    },
    {
      method: 'POST',
      path: '/clawmatrix/send',
      auth: 'admin',
      handle: async ({ req, res, signal }) => {
        const { value: body } = await readJsonObject(req, maxBody())
        const target = requiredString(body, 'target')
        const message = requiredString(body, 'message')
        const sessionId = optionalString(body, 'sessionId')
        try {
          sendJson(res, 200, await sendThroughMesh(node, target, message, { sessionId, signal }))
        } catch (err) {
          throw httpErrorOf(err)
        }
      }
    }
  ]
}
