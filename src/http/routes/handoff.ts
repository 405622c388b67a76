import { once } from 'node:events'
import { z } from 'zod'
import { HandoffError, handoffThroughMesh, httpStatusOf, sendThroughMesh } from '../../handoff/index.js'
import { NoRouteError } from '../../router/router.js'
import { HttpError, readJsonObject, sendJson } from '../respond.js'
import type { HandoffEvent } from '../../handoff/index.js'
import type { MeshContext } from '../../mesh/context.js'
import type { Route } from '../route.js'
import type { ServerResponse } from 'node:http'

/** JSON escaping can double a text; this leaves room for it and the other fields */
const BODY_OVERHEAD_BYTES = 64 * 1024

/** A required text field: present, a string, not empty */
function required (name: string): z.ZodString {
  const message = `${name} must be a non-empty string`
  return z.string({ error: message }).min(1, { error: message })
}

/** An optional text field: absent or null means not given */
function optional (name: string): z.ZodType<string | undefined> {
  return z.string({ error: `${name} must be a string` }).nullish().transform(value => value ?? undefined)
}

const TIMEOUT_MESSAGE = 'timeoutMs must be a positive whole number of ms'

const handoffBody = z.object({
  target: required('target'),
  task: required('task'),
  context: optional('context'),
  sessionId: optional('sessionId'),
  timeoutMs: z.number({ error: TIMEOUT_MESSAGE })
    .refine(value => Number.isInteger(value) && value > 0, { error: TIMEOUT_MESSAGE })
    .nullish()
    .transform(value => value ?? undefined)
})

const sendBody = z.object({
  target: required('target'),
  message: required('message'),
  sessionId: optional('sessionId')
})

/** The body as `schema` reads it; 400 naming the first field at fault otherwise (other fields are ignored) */
function parseBody<T> (schema: z.ZodType<T>, value: Record<string, unknown>): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new HttpError(400, 'bad_request', parsed.error.issues[0].message)
  return parsed.data
}

/** A HandoffError or routing error as the HTTP error it becomes before anything was streamed */
function httpErrorOf (err: unknown): unknown {
  if (err instanceof NoRouteError || err instanceof HandoffError) {
    return new HttpError(httpStatusOf(err.code), err.code, err.message)
  }
  return err
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
        const { value } = await readJsonObject(req, maxBody())
        const { target, task, context, sessionId, timeoutMs } = parseBody(handoffBody, value)
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
        const { value } = await readJsonObject(req, maxBody())
        const { target, message, sessionId } = parseBody(sendBody, value)
        try {
          sendJson(res, 200, await sendThroughMesh(node, target, message, { sessionId, signal }))
        } catch (err) {
          throw httpErrorOf(err)
        }
      }
    }
  ]
}
