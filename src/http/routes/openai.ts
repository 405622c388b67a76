import { chatThroughMesh } from '../../model/caller.js'
import { MAX_BUFFERED_ANSWER_BYTES } from '../../model/constants.js'
import { AnswerInterruptedError, ModelPlaneError } from '../../model/errors.js'
import { listMeshModels } from '../../model/list-models.js'
import { collectBody } from '../../model/response.js'
import { SseEventAligner } from '../../model/sse.js'
import { MAX_AFFINITY_KEY_CHARS } from '../../router/affinity.js'
import { HttpError, readJsonObject, sendJson } from '../respond.js'
import type { RoutedModelResponse } from '../../model/index.js'
import type { Where } from '../../router/where.js'
import type { MeshContext } from '../../mesh/context.js'
import type { Route, RouteContext } from '../route.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** the header naming a session whose requests stay on one node */
export const AFFINITY_HEADER = 'x-clawmatrix-affinity'

/** What the OpenAI routes need from the node: its config, libp2p (with the model service) and router */
export type OpenAiRoutesNode = MeshContext

/** what a configured node id may hold; other nodes' records may claim anything but `/` */
const PLAIN_NODE_ID = /^[A-Za-z0-9._:@-]+$/

/** A node id fit for a header: as it is when it could be configured, else percent-encoded whole */
function headerName (nodeId: string): string {
  return PLAIN_NODE_ID.test(nodeId) ? nodeId : encodeURIComponent(nodeId)
}

/** Where the request went, as `x-clawmatrix-*` headers; `x-clawmatrix-via` only when relayed */
function whereHeaders (where: Where | undefined): Record<string, string> {
  if (where == null) return {}
  return {
    'x-clawmatrix-node': headerName(where.nodeId),
    'x-clawmatrix-peer': where.peerId,
    'x-clawmatrix-path': where.path,
    ...(where.via != null ? { 'x-clawmatrix-via': headerName(where.via) } : {}),
    'x-clawmatrix-attempts': String(where.attempts)
  }
}

/** A model plane error as HTTP, with where the request went once a node was tried */
function httpError (err: unknown, where = err instanceof ModelPlaneError ? err.where : undefined): unknown {
  if (!(err instanceof ModelPlaneError)) return err
  const retryAfter = err.retryAfterSeconds
  return new HttpError(err.status, err.code, err.message, err.type, { ...whereHeaders(where), ...(retryAfter != null ? { 'retry-after': String(retryAfter) } : {}) })
}

async function drained (res: ServerResponse): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

function answerHeaders (answer: RoutedModelResponse, contentType: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': contentType, ...whereHeaders(answer.where) }
  const requestId = answer.headers['x-request-id']
  if (requestId != null) headers['x-request-id'] = requestId
  const retryAfter = answer.headers['retry-after']
  if (retryAfter != null) headers['retry-after'] = retryAfter
  return headers
}

/** An SSE answer goes out event by event; if it breaks off, it ends with an OpenAI error event */
async function relayStream (answer: RoutedModelResponse, res: ServerResponse, contentType: string, signal: AbortSignal): Promise<void> {
  res.writeHead(answer.status, { ...answerHeaders(answer, contentType), 'cache-control': 'no-cache' })
  const events = new SseEventAligner()
  try {
    for await (const chunk of answer.body) {
      const complete = events.push(chunk)
      if (complete.byteLength > 0 && !res.write(complete)) await drained(res)
      if (signal.aborted) return
    }
    res.write(events.rest())
  } catch (err: any) {
    if (signal.aborted) return
    const failure = err instanceof ModelPlaneError ? err : new AnswerInterruptedError(String(err?.message ?? err))
    res.write(`data: ${JSON.stringify(failure.body())}\n\n`)
  }
  res.end()
}

/** A whole answer is held until complete, so a failure is still a clean 502 rather than a cut body */
async function relayWhole (answer: RoutedModelResponse, res: ServerResponse, contentType: string): Promise<void> {
  let body: Buffer
  try {
    body = await collectBody(answer.body, MAX_BUFFERED_ANSWER_BYTES)
  } catch (err) {
    throw httpError(err, answer.where)
  }
  res.writeHead(answer.status, { ...answerHeaders(answer, contentType), 'content-length': String(body.byteLength) })
  res.end(body)
}

/** `x-clawmatrix-affinity`: a session key that keeps a client's requests on one node */
function affinityHeader (req: IncomingMessage): { affinity?: string } {
  const value = req.headers[AFFINITY_HEADER]
  if (value == null) return {}
  if (Array.isArray(value)) throw new HttpError(400, 'invalid_affinity', `${AFFINITY_HEADER}: give it once`)
  if (value === '' || value.length > MAX_AFFINITY_KEY_CHARS) throw new HttpError(400, 'invalid_affinity', `${AFFINITY_HEADER}: must be 1 to ${MAX_AFFINITY_KEY_CHARS} characters`)
  return { affinity: value }
}

async function chatCompletions (node: OpenAiRoutesNode, { req, res, signal }: RouteContext): Promise<void> {
  const { raw, value } = await readJsonObject(req, node.config.maxRequestBytes)
  let answer: RoutedModelResponse
  try {
    answer = await chatThroughMesh(node, value, { signal, body: raw, ...affinityHeader(req) })
  } catch (err) {
    throw httpError(err)
  }
  const contentType = answer.headers['content-type'] ?? 'application/json'
  if (contentType.includes('text/event-stream')) await relayStream(answer, res, contentType, signal)
  else await relayWhole(answer, res, contentType)
}

/** The OpenAI-compatible model routes: any OpenAI client pointed at `/v1` reaches the mesh's models */
export function openaiRoutes (node: OpenAiRoutesNode): Route[] {
  return [
    { method: 'POST', path: '/v1/chat/completions', auth: 'api', handle: async (ctx) => { await chatCompletions(node, ctx) } },
    { method: 'GET', path: '/v1/models', auth: 'api', handle: async ({ res }) => { sendJson(res, 200, listMeshModels(node)) } }
  ]
}
