/**
 * The calling side of the model plane: from a client's chat-completions request to a node's
 * answer. The request is checked, its model name resolved (`<modelId>` or `<nodeId>/<modelId>`),
 * the candidates found (this node, then the router's peers) and tried in turn until one answers.
 */

import { logger } from '@libp2p/logger'
import { z } from 'zod'
import { NoRouteError, NotSharedError } from '../router/router.js'
import { whereOf } from '../router/where.js'
import { MAX_ATTEMPTS, MAX_BUFFERED_ANSWER_BYTES, MAX_HELD_ERROR_BYTES } from './constants.js'
import {
  CALLER_ERROR_STATUS, InvalidChatRequestError, ModelNotAllowedError, ModelNotFoundError, ModelPlaneError, ModelRemoteError,
  ModelTransportError, NoReachableNodeError, RequestTooLargeError, UpstreamHttpError
} from './errors.js'
import { modelServiceOf } from './model-service.js'
import { LOCAL_PATH } from '../metrics/constants.js'
import { collectBody } from './response.js'
import { sseData } from './sse.js'
import type { MeshModelResponse, ModelService, RoutedModelResponse } from './index.js'
import type { ProxyModelConfig } from '../config/schema.js'
import type { MeshContext } from '../mesh/context.js'
import type { ModelAttempt } from '../metrics/index.js'
import type { RouteCandidate } from '../router/router.js'
import type { Where } from '../router/where.js'

const log = logger('clawmatrix:model')

/** The fields of a chat-completions request the mesh reads; everything else passes through */
export interface ChatRequest extends Record<string, unknown> {
  model: string
  messages: unknown[]
  stream?: boolean
}

const MODEL_REQUIRED = 'model: required, the name of a model in the mesh (<modelId> or <nodeId>/<modelId>)'
const MESSAGES_REQUIRED = 'messages: required, a non-empty array of chat messages'

/** What the mesh relies on in a request, each rule with the 400 message naming its field */
const chatRequestSchema = z.object({
  model: z.string({ error: MODEL_REQUIRED }).min(1, { error: MODEL_REQUIRED }),
  messages: z.array(z.custom(m => m != null && typeof m === 'object' && !Array.isArray(m), { error: 'messages: every entry must be an object with a role' }), { error: MESSAGES_REQUIRED })
    .min(1, { error: MESSAGES_REQUIRED }),
  stream: z.boolean({ error: 'stream: must be true or false' }).nullish()
})

/** Check what the mesh relies on, with a 400 naming the field otherwise; the request itself goes on, unchanged */
export function checkChatRequest (request: Record<string, unknown>): ChatRequest {
  const checked = chatRequestSchema.safeParse(request)
  if (!checked.success) throw new InvalidChatRequestError(checked.error.issues[0].message)
  return request as ChatRequest
}

/** What a model name in a request points at */
export interface ModelTarget {
  /** the name as the client sent it */
  name: string
  /** the model id the serving node announces */
  modelId: string
  /** the serving node, when the name or a `proxyModels` entry pins one */
  nodeId?: string
  /** a matching `proxyModels` entry's description, for the identity note */
  description?: string
}

/**
 * `<modelId>` (any node announcing it, unless a `proxyModels` entry pins a node) or
 * `<nodeId>/<modelId>`. Neither ids nor node ids may contain `/`, so the first one splits.
 */
export function resolveModelName (name: string, proxyModels: ProxyModelConfig[]): ModelTarget {
  const slash = name.indexOf('/')
  if (slash > 0) {
    const nodeId = name.slice(0, slash)
    const modelId = name.slice(slash + 1)
    const entry = proxyModels.find(p => p.id === modelId && (p.nodeId == null || p.nodeId === nodeId))
    return { name, modelId, nodeId, ...(entry?.description != null ? { description: entry.description } : {}) }
  }
  const entry = proxyModels.find(p => p.id === name)
  return {
    name,
    modelId: name,
    ...(entry?.nodeId != null ? { nodeId: entry.nodeId } : {}),
    ...(entry?.description != null ? { description: entry.description } : {})
  }
}

/**
 * Tell the model who it is, as the original proxy did: `[Model: <description>]` goes in front of
 * a leading system message with text content, or in a new system message of its own.
 */
function withIdentityNote<T extends { messages: unknown[] }> (request: T, description: string): T {
  const note = `[Model: ${description}]`
  const [first, ...rest] = request.messages as Array<Record<string, unknown>>
  if (first?.role === 'system' && typeof first.content === 'string') {
    return { ...request, messages: [{ ...first, content: `${note}\n${first.content}` }, ...rest] }
  }
  return { ...request, messages: [{ role: 'system', content: note }, ...request.messages] }
}

/**
 * The request body for the serving node: model name as it announces it, identity note if
 * configured. The client's own bytes go on unchanged when neither changes anything in them.
 */
function servingBody (ctx: MeshContext, request: ChatRequest, target: ModelTarget, sent?: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const note = target.description != null && ctx.config.modelIdentityNote ? target.description : undefined
  if (sent != null && note == null && request.model === target.modelId) return sent
  let body = { ...request, model: target.modelId }
  if (note != null) body = withIdentityNote(body, note)
  return new TextEncoder().encode(JSON.stringify(body))
}

/** Who may answer: this node itself, or a peer the router found */
type Candidate = { local: true, nodeId: string } | { local: false, nodeId: string, route: RouteCandidate }

function candidatesFor (ctx: MeshContext, service: ModelService, target: ModelTarget, affinity: string | undefined): Candidate[] {
  const self = ctx.libp2p.peerId
  const pinnedElsewhere = target.nodeId != null && target.nodeId !== ctx.nodeId && target.nodeId !== self.toString()
  const candidates: Candidate[] = []
  if (!pinnedElsewhere && service.serves(target.modelId)) candidates.push({ local: true, nodeId: ctx.nodeId })
  let noRoute: NoRouteError | NotSharedError | undefined
  try {
    for (const route of ctx.router.models(target.modelId, target.nodeId, affinity != null ? { affinity } : {})) {
      if (!route.peerId.equals(self)) candidates.push({ local: false, nodeId: route.nodeId, route })
    }
  } catch (err) {
    if (!(err instanceof NoRouteError) && !(err instanceof NotSharedError)) throw err
    noRoute = err
  }
  if (candidates.length > 0) return candidates
  if (noRoute instanceof NotSharedError) throw new ModelNotAllowedError(noRoute.message)
  if (noRoute?.code === 'unreachable') throw new NoReachableNodeError(`no reachable node serves model "${target.name}": ${noRoute.message}`)
  const offers = noRoute?.offers ?? []
  throw new ModelNotFoundError(`model "${target.name}" is not offered in the mesh${offers.length > 0 ? `; on offer: ${offers.join(', ')}` : ''}`)
}

/**
 * All retryable failures: one refusal kind repeated keeps its own status; a node that was only
 * busy makes it a 429 `busy` (asking again soon can work); anything else is a 503
 */
function giveUp (target: ModelTarget, failures: ModelPlaneError[]): ModelPlaneError {
  const last = failures[failures.length - 1]
  if (last instanceof ModelRemoteError && failures.every(f => f.code === last.code)) return last
  const why = failures.map(f => f.message).join('; ')
  if (failures.some(f => f.code === 'busy')) return new ModelPlaneError(CALLER_ERROR_STATUS.busy, 'busy', `every node tried for model "${target.name}" is busy or could not answer: ${why}`)
  return new NoReachableNodeError(`no node could answer for model "${target.name}": ${why}`)
}

export interface ChatThroughMeshOptions {
  signal: AbortSignal
  /** the bytes `request` was parsed from, sent on as they are when nothing in them changes */
  body?: Uint8Array<ArrayBuffer>
  /** a session key (`x-clawmatrix-affinity`); else the request's `user` field serves as one */
  affinity?: string
}

/** The session a request belongs to, if it names one */
function sessionOf (request: ChatRequest, options: ChatThroughMeshOptions): string | undefined {
  if (options.affinity != null && options.affinity !== '') return options.affinity
  return typeof request.user === 'string' && request.user !== '' ? request.user : undefined
}

/** `end`, also called when `signal` aborts first (an answer whose body is never read) */
function orOnAbort (end: () => void, signal: AbortSignal): () => void {
  const done = (): void => {
    signal.removeEventListener('abort', done)
    end()
  }
  signal.addEventListener('abort', done, { once: true })
  return done
}

/** Call each of `ends`, in order, once the answer's body has been read to its end or given up (one wrapper for all: each layer costs every chunk) */
function endsWith (response: MeshModelResponse, ends: Array<() => void>): void {
  if (ends.length === 0) return
  const body = response.body
  response.body = (async function * () {
    try {
      yield * body
    } finally {
      for (const end of ends) end()
    }
  })()
}

/** what to call when an answer's body ends: the router's count of the request, then the attempt's duration */
function bodyEnds (end: (() => void) | undefined, attempt: ModelAttempt | undefined): Array<() => void> {
  const ends: Array<() => void> = []
  if (end != null) ends.push(end)
  if (attempt != null) ends.push(() => { attempt.ended() })
  return ends
}

/** An upstream answer another node may do better than: rate limited or failing (no output given) */
function retryableUpstreamStatus (status: number): boolean {
  return status === 429 || status >= 500
}

/** A held upstream error answer, replayed to the client if no other node answers */
async function held (response: MeshModelResponse): Promise<MeshModelResponse> {
  const body = await collectBody(response.body, MAX_HELD_ERROR_BYTES)
  return { ...response, body: (async function * () { yield body })() }
}

/**
 * Send a chat-completions request (a parsed OpenAI body) to a node serving its model and return
 * the answer as it streams. Before the answer begins, a node that cannot be reached or refuses
 * (busy, model gone, upstream down) is skipped for the next candidate, at most MAX_ATTEMPTS in all.
 * So is a node whose upstream answered 429 or 5xx while another candidate remains; if none does
 * better, the client gets that upstream's own error, not the mesh's.
 */
export async function chatThroughMesh (ctx: MeshContext, request: Record<string, unknown>, options: ChatThroughMeshOptions): Promise<RoutedModelResponse> {
  const checked = checkChatRequest(request)
  const target = resolveModelName(checked.model, ctx.config.proxyModels)
  const body = servingBody(ctx, checked, target, options.body)
  if (body.byteLength > ctx.config.maxRequestBytes) throw new RequestTooLargeError(body.byteLength, ctx.config.maxRequestBytes)
  const service = modelServiceOf(ctx)
  const failures: ModelPlaneError[] = []
  const session = sessionOf(checked, options)
  const candidates = candidatesFor(ctx, service, target, session).slice(0, MAX_ATTEMPTS)
  let upstreamError: { response: MeshModelResponse, where: Where } | undefined
  let lastTried: Where | undefined
  for (const [i, candidate] of candidates.entries()) {
    const where = candidate.local ? servedHere(ctx, i + 1) : whereOf(candidate.route, i + 1)
    lastTried = where
    const attempt = ctx.metrics?.modelAttempt(target.modelId, candidate.nodeId, candidate.local ? undefined : candidate.route.peerId.toString(), candidate.local ? LOCAL_PATH : candidate.route.path)
    // counted until the answer ends: the router weighs these before any load report says so
    const end = candidate.local ? undefined : orOnAbort(ctx.router.begin('model', candidate.route.peerId), options.signal)
    try {
      const response = candidate.local
        ? await service.chatLocal(target.modelId, body, options)
        : await service.chat(candidate.route.peerId, target.modelId, body, { signal: options.signal, nodeId: candidate.nodeId })
      // the attempt's duration is counted when the body has been read (the response's `end` is set on it, so it is changed in place)
      attempt?.answered(response.status)
      endsWith(response, bodyEnds(end, attempt))
      if (!retryableUpstreamStatus(response.status) || i === candidates.length - 1) {
        if (session != null && !candidate.local && !retryableUpstreamStatus(response.status)) ctx.router.remember(target.modelId, session, candidate.route.peerId)
        return routed(response, where)
      }
      upstreamError = { response: await held(response), where }
      ctx.metrics?.failover('model')
      log('model "%s" on %s: its upstream answered %d, trying the next node', target.name, candidate.nodeId, response.status)
    } catch (err: any) {
      end?.()
      attempt?.failed(options.signal.aborted ? 'cancelled' : err?.code ?? 'internal', String(err?.message ?? err))
      if (err instanceof ModelPlaneError) err.where = where
      if (options.signal.aborted || !(err instanceof ModelPlaneError) || !err.retryable) throw err
      if (err instanceof ModelTransportError && !candidate.local) ctx.router.markFailed(candidate.route.peerId)
      log('model "%s" on %s failed, trying the next node - %s', target.name, candidate.nodeId, err.message)
      failures.push(err)
      if (i < candidates.length - 1) ctx.metrics?.failover('model')
    }
  }
  // every candidate was tried: the answer or error names the node it came from (else the last one tried)
  const tried = candidates.length
  if (upstreamError != null) return routed(upstreamError.response, { ...upstreamError.where, attempts: tried })
  const failure = giveUp(target, failures)
  const from = failure.where ?? lastTried
  if (from != null) failure.where = { ...from, attempts: tried }
  throw failure
}

/** This node answering for itself: its own ids, path `local` */
function servedHere (ctx: MeshContext, attempts: number): Where {
  return { nodeId: ctx.nodeId, peerId: ctx.libp2p.peerId.toString(), path: 'local', via: null, attempts }
}

/** The answer with where it came from; set on the response itself, whose body records its end there */
function routed (response: MeshModelResponse, where: Where): RoutedModelResponse {
  log('answer %d from %s (%s%s), %d node(s) tried', response.status, where.nodeId, where.path, where.via != null ? ` via ${where.via}` : '', where.attempts)
  return Object.assign(response, { where })
}

/** A chat-completions answer or stream chunk as the upstream sent it, parsed */
export type ChatCompletion = Record<string, any>
export type ChatCompletionChunk = Record<string, any>

export interface ChatOptions {
  signal?: AbortSignal
}

function parseJson (text: string, what: string): Record<string, any> {
  try {
    return JSON.parse(text)
  } catch (err: any) {
    throw new ModelPlaneError(CALLER_ERROR_STATUS.invalid_answer, 'invalid_answer', `${what} from the upstream is not valid JSON: ${String(err.message)}`)
  }
}

async function * chunks (body: AsyncIterable<Uint8Array>): AsyncGenerator<ChatCompletionChunk> {
  for await (const data of sseData(body)) {
    if (data === '[DONE]') return
    const chunk = parseJson(data, 'a stream chunk')
    if (chunk.error != null) throw new UpstreamHttpError(502, data)
    yield chunk
  }
}

/**
 * One chat completion through the mesh, for library users: the parsed answer, or for
 * `stream: true` an async iterator of the parsed chunks. Failures throw `ModelPlaneError`s
 * (an upstream HTTP error as `UpstreamHttpError` with its status).
 */
export async function chat (ctx: MeshContext, request: Record<string, unknown> & { stream: true }, options?: ChatOptions): Promise<AsyncIterable<ChatCompletionChunk>>
export async function chat (ctx: MeshContext, request: Record<string, unknown>, options?: ChatOptions): Promise<ChatCompletion>
export async function chat (ctx: MeshContext, request: Record<string, unknown>, options: ChatOptions = {}): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
  const response = await chatThroughMesh(ctx, request, { signal: options.signal ?? new AbortController().signal })
  if (response.status >= 400) {
    const text = (await collectBody(response.body, MAX_BUFFERED_ANSWER_BYTES)).toString('utf8')
    throw new UpstreamHttpError(response.status, text)
  }
  if (request.stream === true) return chunks(response.body)
  return parseJson((await collectBody(response.body, MAX_BUFFERED_ANSWER_BYTES)).toString('utf8'), 'the answer')
}
